import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute({ auth: "user" }, async ({ actor }) =>
  json({
    user: { id: actor.userId, role: actor.role, displayName: actor.displayName, email: actor.email, hospitalId: actor.hospitalId, patientId: actor.patientId },
    csrfToken: actor.csrfToken,
  }),
);
