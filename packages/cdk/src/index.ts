// The package entry "alb-oidc-target-cdk": the AlbOidcTarget construct, its props, its error, the jwt-validation action and the Node.js 24 flags for your function.
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
export { NODE24_V8_FLAGS, nodeOptionsFor, type NodeOptionsForOptions } from "./node-options";
