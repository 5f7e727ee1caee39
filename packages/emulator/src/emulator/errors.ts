// The emulator's configuration error, in a module of its own so that `invoke --handler` can load handler modules without the jwt-validation rule (and jose).

/** A bad emulator setting (config file, flag, template): the message names it; start-up fails with it. */
export class EmulatorConfigError extends Error {
  override readonly name = "EmulatorConfigError";
}
