// Lambda entry point (handler string `index.handler`): everything is built once per cold start; a configuration error fails the cold start naming the variable.
import { createApp } from "./app.js";

export const handler = createApp(process.env).handler;
