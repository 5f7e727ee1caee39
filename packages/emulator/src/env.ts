// The environment a function is built from: the runtime's own type of it (variables by name, unset ones undefined).
import type { AlbAuthOptions } from "alb-oidc-target";

/** Variables by name, as `process.env` holds them. */
export type Env = NonNullable<AlbAuthOptions["env"]>;
