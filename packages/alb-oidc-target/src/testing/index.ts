// The package entry "alb-oidc-target/testing": the fake ALB for your tests, and the pieces it is built from (minting, keys, the key server, events, loopback servers), which the emulator builds on too. Never import it from function code.
export {
  createFakeAlb,
  type BadMachineTokenKind,
  type BadUserTokenKind,
  type FakeAlb,
  type FakeAlbEnv,
  type FakeAlbOptions,
  type FakeMachineEnv,
  type LoopbackFetcher,
  type MachineEventOptions,
  type MachineTokenOptions,
  type UserEventOptions,
  type UserTokenOptions,
} from "./fake-alb.js";
export {
  ALICE,
  DEFAULT_ALB_ARN,
  DEFAULT_CLIENT_ID,
  DEFAULT_ISSUER,
  OTHER_ALB_ARN,
  mintAlbToken,
  decodePart,
  replacePart,
  tamper,
  type MintOptions,
} from "./alb-token.js";
export {
  albEvent,
  albEventFromWire,
  TARGET_GROUP_ARN,
  healthCheckEvent,
  traceId,
  userEvent,
  type EventOptions,
  type UserRequestOptions,
  type WireRequest,
} from "./events.js";
export { startKeyServer, type KeyServer, type KeyServerOptions } from "./key-server.js";
export { createAlbKey, createRsaKey, type TestKey } from "./keys.js";
export { loopback, type Loopback } from "./loopback.js";
export {
  DEFAULT_M2M_AUDIENCE,
  DEFAULT_M2M_CLIENT_ID,
  DEFAULT_M2M_ISSUER,
  mintMachineToken,
  type MachineMintOptions,
} from "./machine-token.js";
