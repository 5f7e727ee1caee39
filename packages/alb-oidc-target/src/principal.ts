// Who a request is from, as the verified token says: the user behind authenticate-oidc or the machine behind a bearer token.
import type { ALBEvent, ALBResult, Context } from "aws-lambda";

/**
 * A person who logged in through the ALB's authenticate-oidc action; `claims` are the verified
 * `x-amzn-oidc-data` payload (the IdP's userinfo plus the ALB's `exp` and `iss`).
 * @example if (principal.type === "user") console.log(principal.sub, principal.claims.email);
 */
export interface UserPrincipal {
  readonly type: "user";
  /** The verified `sub` (it also matched `x-amzn-oidc-identity` when that header was sent). */
  readonly sub: string;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The IdP access token the ALB forwards in `x-amzn-oidc-accesstoken` (null when absent); a secret: never log it. */
  readonly accessToken: string | null;
}

/**
 * A service calling a machine route with a bearer token the ALB's jwt-validation action checked
 * and the function verified again.
 * @example if (principal.type === "machine" && principal.scopes.includes("notes:read")) ...
 */
export interface MachinePrincipal {
  readonly type: "machine";
  readonly sub: string | null;
  /** `client_id` (RFC 9068, Cognito), else `azp` (Auth0), else `cid` (Okta). */
  readonly clientId: string | null;
  readonly scopes: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * The authenticated caller: switch on `type`.
 * @example const who = principal.type === "user" ? principal.claims.email : principal.clientId;
 */
export type Principal = UserPrincipal | MachinePrincipal;

/**
 * What `withAlbAuth` hands your app after authentication and authorization passed.
 * @example const app = ({ principal }: AlbAppRequest) => ({ statusCode: 200, body: principal.sub });
 */
export interface AlbAppRequest {
  readonly event: ALBEvent;
  /** The Lambda context (a minimal one with an empty `awsRequestId` when the caller passed none). */
  readonly context: Context;
  readonly principal: Principal;
}

/**
 * What your app returns: an ALB result in either header mode (it is delivered in the event's),
 * `statusDescription` and `isBase64Encoded` optional, a header set to `undefined` left out.
 * @example const res: AlbAppResult = { statusCode: 201, headers: { location: "/notes/1" } };
 */
export interface AlbAppResult {
  readonly statusCode: number;
  readonly statusDescription?: string | undefined;
  readonly headers?: Readonly<Record<string, string | number | boolean | undefined>> | undefined;
  readonly multiValueHeaders?: Readonly<Record<string, readonly (string | number | boolean)[] | undefined>> | undefined;
  readonly body?: string | undefined;
  readonly isBase64Encoded?: boolean | undefined;
}

/**
 * Your function behind the ALB: called only for authenticated, authorized requests. The result is
 * delivered in the event's header mode; `statusDescription` and `isBase64Encoded` may be left out.
 * @example const app: AlbApp = ({ principal }) => ({ statusCode: 200, headers: { "content-type": "text/plain" }, body: `hi ${principal.sub}` });
 */
export type AlbApp = (request: AlbAppRequest) => AlbAppResult | ALBResult | Promise<AlbAppResult | ALBResult>;
