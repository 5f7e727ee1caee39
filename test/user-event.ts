// The browser request of the test kit, free of vitest so that benches can build it too: what authenticate-oidc forwards to the target.
import type { ALBEvent } from "aws-lambda";
import { albEvent } from "../src/testing/events.js";

export interface UserEventOptions {
  /** x-amzn-oidc-identity (default "alice"); an explicit `undefined` sends none. */
  readonly identity?: string | undefined;
  readonly multiValue?: boolean;
  /** x-amzn-oidc-accesstoken (default "opaque"). */
  readonly accessToken?: string;
  /** A Cookie header, e.g. the ALB session cookie; none by default. */
  readonly cookie?: string;
}

/**
 * A request to /whoami through authenticate-oidc carrying `data` as x-amzn-oidc-data (none when undefined).
 * @example userEvent(mintAlbToken({ key }), { identity: "bob", multiValue: true })
 */
export function userEvent(data: string | undefined, o: UserEventOptions = {}): ALBEvent {
  return albEvent({
    path: "/whoami",
    multiValue: o.multiValue ?? false,
    ...(o.cookie !== undefined && { headers: { cookie: o.cookie } }),
    oidc: { data, identity: "identity" in o ? o.identity : "alice", accessToken: o.accessToken ?? "opaque" },
  });
}
