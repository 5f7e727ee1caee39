// Synthesizes every construct variant (see test/variants.ts) to cdk.out.variants/<name>/ for cfn-lint in CI.
import * as fs from "node:fs";
import * as path from "node:path";
import { Stage } from "aws-cdk-lib";
import { VARIANTS } from "../test/variants";

const outDir = path.resolve(__dirname, "..", "cdk.out.variants");
fs.rmSync(outDir, { recursive: true, force: true });
for (const [name, build] of Object.entries(VARIANTS)) {
  const { stack } = build();
  const app = Stage.of(stack);
  if (app === undefined) throw new Error(`variant ${name} has no app`);
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as unknown;
  fs.mkdirSync(path.join(outDir, name), { recursive: true });
  const file = path.join(outDir, name, `${stack.stackName}.template.json`);
  fs.writeFileSync(file, JSON.stringify(template, null, 1));
  process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
}
