// A static file server for bindings-wasm/, for the demo and the browser
// tests; no dependencies.
//
//   node demo/serve.mjs [--port 8311] [--host 127.0.0.1]    (or PORT=8311)
//
// It serves the files under bindings-wasm/ (the widget in js/, the engine in
// pkg/, the page and bundle in demo/) with their MIME types, application/wasm
// included so that browsers compile the engine while it downloads, and
// refuses any path that leads outside. Tests import `start`.

import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** bindings-wasm/, the folder served by default. */
export const DEFAULT_ROOT = fileURLToPath(new URL("..", import.meta.url));

export const DEFAULT_PORT = 8311;

export const MIME_TYPES = Object.freeze({
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".c311": "application/octet-stream",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
});

function send(response, status, message, headers = {}) {
  const body = `${message}\n`;
  response.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "x-content-type-options": "nosniff",
    ...headers,
  });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

/** Whether `path` is `root` or inside it. */
function inside(root, path) {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The file a request path names under `root`, or an HTTP status to answer
 * with instead: 400 for a malformed path, 403 for one outside `root`
 * (`..`, or a symbolic link out), 404 for a missing file, and a redirect
 * for a folder named without its final slash.
 */
async function resolveFile(root, realRoot, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { status: 400, message: "bad request: the path is not valid percent-encoding" };
  }
  if (decoded.includes("\0") || decoded.includes("\\")) {
    return { status: 400, message: "bad request: the path holds a NUL or a backslash" };
  }
  if (decoded.split("/").some((segment) => segment.startsWith("."))) {
    // `..` and dot files (.gitignore, .env) alike.
    return { status: 403, message: "forbidden: paths with segments starting with '.' are not served" };
  }
  let path = resolve(root, `.${decoded}`);
  if (!inside(root, path)) return { status: 403, message: "forbidden: outside the served folder" };
  let info;
  try {
    info = await stat(path);
  } catch {
    return { status: 404, message: `not found: ${decoded}` };
  }
  if (info.isDirectory()) {
    if (!pathname.endsWith("/")) return { status: 301, location: `${pathname}/` };
    path = join(path, "index.html");
    try {
      info = await stat(path);
    } catch {
      return { status: 404, message: `not found: ${decoded}index.html` };
    }
  }
  if (!info.isFile()) return { status: 404, message: `not found: ${decoded}` };
  // Note: the check above is on the path as written; a symbolic link inside
  // the folder could still lead out of it, so check where it really is.
  const real = await realpath(path);
  if (!inside(realRoot, real)) return { status: 403, message: "forbidden: outside the served folder" };
  return { path: real, info };
}

/**
 * Starts the server. `port` 0 picks a free one. Resolves with
 * `{ server, url, demoUrl }`: the http.Server, the root URL
 * ("http://127.0.0.1:8311/") and the demo page's URL.
 */
export async function start({ port = DEFAULT_PORT, root = DEFAULT_ROOT, host = "127.0.0.1", log = false } = {}) {
  const servedRoot = resolve(root);
  const realRoot = await realpath(servedRoot);

  const server = createServer(async (request, response) => {
    const started = Date.now();
    response.on("finish", () => {
      if (log) console.log(`${response.statusCode} ${request.method} ${request.url} ${Date.now() - started} ms`);
    });
    try {
      if (request.method !== "GET" && request.method !== "HEAD") {
        send(response, 405, "method not allowed: GET and HEAD only", { allow: "GET, HEAD" });
        return;
      }
      const { pathname } = new URL(request.url ?? "/", "http://localhost");
      if (pathname === "/") {
        send(response, 302, "the demo is at /demo/", { location: "/demo/" });
        return;
      }
      const found = await resolveFile(servedRoot, realRoot, pathname);
      if (found.location) {
        send(response, found.status, `moved to ${found.location}`, { location: found.location });
        return;
      }
      if (found.status) {
        send(response, found.status, found.message);
        return;
      }
      const { path, info } = found;
      const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000);
      const since = Date.parse(request.headers["if-modified-since"] ?? "");
      const headers = {
        "content-type": MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
        "last-modified": lastModified.toUTCString(),
        // Revalidate each time: a rebuilt bundle or engine shows at once.
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
      };
      if (!Number.isNaN(since) && lastModified.getTime() <= since) {
        response.writeHead(304, headers);
        response.end();
        return;
      }
      response.writeHead(200, { ...headers, "content-length": info.size });
      if (request.method === "HEAD") {
        response.end();
        return;
      }
      const stream = createReadStream(path);
      stream.on("error", () => response.destroy());
      stream.pipe(response);
    } catch (error) {
      if (!response.headersSent) send(response, 500, `internal error: ${error.message}`);
      else response.destroy();
    }
  });

  await new Promise((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(port, host, () => {
      server.off("error", rejectListen);
      resolveListen();
    });
  });
  const address = server.address();
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}/`;
  return { server, url, demoUrl: `${url}demo/` };
}

/** The port from `--port N` or `--port=N`, else the PORT variable, else 8311. */
export function portFrom(argv, env) {
  let value;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--port") value = argv[i + 1];
    else if (argv[i].startsWith("--port=")) value = argv[i].slice("--port=".length);
  }
  value ??= env.PORT;
  if (value === undefined || value === "") return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`the port must be a whole number from 0 to 65535, not '${value}'`);
  }
  return port;
}

function hostFrom(argv) {
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--host") return argv[i + 1];
    if (argv[i].startsWith("--host=")) return argv[i].slice("--host=".length);
  }
  return "127.0.0.1";
}

const runDirectly = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (runDirectly) {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log("usage: node demo/serve.mjs [--port N] [--host ADDRESS]   (PORT=N also sets the port; default 8311)");
    process.exit(0);
  }
  try {
    const { demoUrl } = await start({ port: portFrom(argv, process.env), host: hostFrom(argv), log: true });
    console.log(`civic311 demo: ${demoUrl}`);
    console.log("Ctrl-C stops the server.");
  } catch (error) {
    console.error(`serve.mjs: ${error.message}`);
    process.exit(1);
  }
}
