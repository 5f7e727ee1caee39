// Lambda entry of the notes API (handler string `index.handler`): built at cold start from the environment; a bad setting fails the cold start naming it.
import { createHandler } from "./handler.js";

export const handler = createHandler();
