import { signIn, ZSignInSchema } from "@/lib/auth/sign-in";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { serializeCookie } from "@/lib/http/cookies";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";

export const POST = withRoute({ auth: "public" }, async ({ request, server, clientAddress }) => {
  const input = await readJsonBody(request, ZSignInSchema);
  const ttlMs = server.config.SESSION_TTL_HOURS * 3_600_000;
  const session = await signIn({ db: server.database.prisma, input, clientAddress, sessionTtlMs: ttlMs });
  return json(
    { userId: session.userId, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() },
    { headers: { "set-cookie": serializeCookie(SESSION_COOKIE, session.token, { maxAgeS: ttlMs / 1000, secure: server.config.secureCookies }) } },
  );
});
