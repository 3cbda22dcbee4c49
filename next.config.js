/** @type {import('next').NextConfig} */
const nextConfig = {
  // server.ts owns these (one PGlite per data folder, WASM and native code): Next must load the same
  // node_modules copies at run time instead of bundling a second instance into route handlers.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "@prisma/client",
    "pg",
    "pino",
    "socket.io",
    "@socket.io/redis-adapter",
    "redis",
    "node-seal",
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-backend-wasm",
  ],
  // `npm test` type-checks the whole project (tsc --noEmit, strict) and CI fails on any error; skipping
  // the second check here keeps `npm start` quick and independent of work in progress under test/.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
