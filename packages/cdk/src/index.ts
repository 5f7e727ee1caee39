// The infra package entry: the AlbOidcTarget construct, its props and the jwt-validation action.
export {
  AlbOidcTarget,
  DEFAULT_SSL_POLICY,
  loadBalancerArnOfListener,
  type AlbOidcTargetAccessLogsProps,
  type AlbOidcTargetMachineRoutesProps,
  type AlbOidcTargetOidcProps,
  type AlbOidcTargetProps,
} from "./alb-oidc-target";
export { AlbOidcTargetError } from "./errors";
export {
  CLAIM_FORMATS,
  JwtValidationAction,
  validateAdditionalClaims,
  type AdditionalClaim,
  type ClaimFormat,
  type JwtValidationOptions,
} from "./jwt-validation";
export { DEFAULT_ASSET_PATH, NODE24_V8_FLAGS, SampleFunction, nodeOptionsFor, type SampleFunctionOptions } from "./sample-function";
export { AlbOidcTargetStack } from "./alb-oidc-target-stack";
