import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { signOut } from "@/lib/auth/sign-out";
import { serializeCookie } from "@/lib/http/cookies";
import { json, withRoute } from "@/lib/http/with-route";

export const POST = withRoute({ auth: "user" }, async ({ actor, server }) => {
  await signOut({ db: server.database.prisma, actor });
  return json(
    { signedOut: true },
    { headers: { "set-cookie": serializeCookie(SESSION_COOKIE, "", { maxAgeS: 0, secure: server.config.secureCookies }) } },
  );
});
