// Lambda entry of this repository's sample function (handler string `index.handler`): the emulator's sample app whoami behind withAlbAuth, built once per cold start; a configuration error fails the cold start naming the variable.
import { sampleHandler } from "alb-oidc-target-emulator/whoami";

export const handler = sampleHandler();
