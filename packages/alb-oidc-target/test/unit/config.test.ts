// Configuration: required variables, list parsing, endpoint defaults and the https/loopback rule; every error names its variable.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { configError } from "../helpers.js";

const ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const base = { LOAD_BALANCER_ARN: ARN, ISSUER: "https://access.line.me", CLIENT_ID: "1234567890" };

describe("loadConfig", () => {
  it("reads the three required variables and derives the regional key endpoint", () => {
    const c = loadConfig(base);
    expect(c.albArns).toEqual([ARN]);
    expect(c.issuer).toBe("https://access.line.me");
    expect(c.clientIds).toEqual(["1234567890"]);
    expect(c.keyEndpoint).toBe("https://public-keys.auth.elb.eu-west-1.amazonaws.com");
    expect(c.keyFetchTimeoutMs).toBe(1500);
  });

  it.each(["LOAD_BALANCER_ARN", "ISSUER", "CLIENT_ID"])("fails naming %s when it is missing, with an example", (name) => {
    const env = Object.fromEntries(Object.entries(base).filter(([k]) => k !== name));
    const err = configError(env);
    expect(err.variable).toBe(name);
    expect(err.message).toMatch(new RegExp(`^${name} is required: .+\\. Example: ${name}=.+`));
  });

  it("treats a blank value as missing", () => {
    expect(configError({ ...base, CLIENT_ID: " , " }).variable).toBe("CLIENT_ID");
    expect(configError({ ...base, ISSUER: "   " }).variable).toBe("ISSUER");
  });

  it("splits comma-separated ARNs and client ids, trimming them", () => {
    const other = ARN.replace("my-alb", "other-alb");
    const c = loadConfig({ ...base, LOAD_BALANCER_ARN: ` ${ARN} , ${other}`, CLIENT_ID: "a, b" });
    expect(c.albArns).toEqual([ARN, other]);
    expect(c.clientIds).toEqual(["a", "b"]);
  });

  it("rejects ARNs of two regions (one key endpoint serves one region)", () => {
    const err = configError({ ...base, LOAD_BALANCER_ARN: `${ARN},${ARN.replace("eu-west-1", "us-east-1")}` });
    expect(err.variable).toBe("LOAD_BALANCER_ARN");
    expect(err.message).toContain("one region");
  });

  it.each([
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/50dc6c495c0c9188",
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/nlb/50dc6c495c0c9188",
    "my-alb",
  ])("rejects %s as LOAD_BALANCER_ARN, quoting it", (arn) => {
    const err = configError({ ...base, LOAD_BALANCER_ARN: arn });
    expect(err.variable).toBe("LOAD_BALANCER_ARN");
    expect(err.message).toContain(arn);
  });

  it("uses the S3 key endpoints in GovCloud", () => {
    const gov = "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
    expect(loadConfig({ ...base, LOAD_BALANCER_ARN: gov }).keyEndpoint).toBe(
      "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1",
    );
  });

  it("asks for ALB_PUBLIC_KEY_ENDPOINT where no default is documented (China)", () => {
    const cn = "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
    expect(configError({ ...base, LOAD_BALANCER_ARN: cn }).variable).toBe("ALB_PUBLIC_KEY_ENDPOINT");
  });

  it.each(["http://127.0.0.1:8080", "http://localhost:9000/", "http://[::1]:7000", "https://keys.example.com/"])(
    "accepts ALB_PUBLIC_KEY_ENDPOINT %s and drops a trailing slash",
    (url) => {
      expect(loadConfig({ ...base, ALB_PUBLIC_KEY_ENDPOINT: url }).keyEndpoint).toBe(url.replace(/\/$/, ""));
    },
  );

  it.each(["http://keys.example.com", "http://10.0.0.1:80", "ftp://127.0.0.1", "not a url", "https://k.example.com/?a=b"])(
    "refuses ALB_PUBLIC_KEY_ENDPOINT %s",
    (url) => {
      expect(configError({ ...base, ALB_PUBLIC_KEY_ENDPOINT: url }).variable).toBe("ALB_PUBLIC_KEY_ENDPOINT");
    },
  );

  it("refuses an ISSUER that is not an https URL", () => {
    expect(configError({ ...base, ISSUER: "access.line.me" }).variable).toBe("ISSUER");
  });

  it.each(["0", "abc", "1.5", "60001"])("refuses KEY_FETCH_TIMEOUT_MS=%s", (v) => {
    expect(configError({ ...base, KEY_FETCH_TIMEOUT_MS: v }).variable).toBe("KEY_FETCH_TIMEOUT_MS");
  });
});
