// The listener's one target group, as the listener sees it: a Lambda function (lambda.ts) or an HTTP upstream (upstream.ts); both receive what that kind of ALB target receives.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "alb-oidc-target/rules";
import type { OidcHeaders } from "./wire.js";

/** What the listener hands the target for one request. */
export interface Delivery {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly listenerPort: number;
  /** The x-amzn-oidc-* values, when an authenticate-oidc action let the request through with a session. */
  readonly oidc: OidcHeaders | undefined;
  /** Where failures are printed (the console, in `npm start`). */
  readonly logger: Logger;
}

export interface Target {
  readonly kind: "lambda" | "upstream";
  /** One line for the banner. */
  readonly description: string;
  deliver(d: Delivery): Promise<void>;
  stop(): Promise<void>;
}
