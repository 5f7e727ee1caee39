// The package entry "alb-oidc-target-cdk": the AlbOidcTarget construct, its props, its error and the jwt-validation action.
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
export { NODE24_V8_FLAGS, type SampleFunctionOptions } from "./sample-function";
