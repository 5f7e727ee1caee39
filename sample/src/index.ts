// Lambda entry of the project's sample function (handler string `index.handler`): the whoami app behind withAlbAuth, built once per cold start; a configuration error fails the cold start naming the variable.
import { withAlbAuth } from "./api.js";
import { createWhoami } from "./whoami.js";

export const handler = withAlbAuth(createWhoami({ logoutPath: process.env.LOGOUT_PATH?.trim() || "/logout" }), { forbiddenPage: true });
