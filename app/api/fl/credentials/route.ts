import { issueHospitalCredential, listHospitalCredentials, ZIssueHospitalCredentialSchema } from "@/lib/fl/credentials";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute({ auth: "user" }, async ({ actor, server }) => json({ credentials: await listHospitalCredentials({ db: server.database.prisma, actor }) }));

export const POST = withRoute({ auth: "user" }, async ({ actor, server, request }) => {
  const input = await readJsonBody(request, ZIssueHospitalCredentialSchema);
  // The token is in this response and nowhere else: the server keeps only its hash.
  const { token, credential } = await issueHospitalCredential({ db: server.database.prisma, actor, input });
  return json({ credential, token }, { status: 201 });
});
