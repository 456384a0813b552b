// A coordinator makes a one-time invite code in the chat: role to invite →
// district → council (for a secretary) → confirm → the code, big, with its
// expiry and a message to forward. Every choice list is read from the
// inviter's roles at the moment it is shown, so a tapped button can only
// name what the engine offered; complete() checks the area once more before
// the code is made (a role may have been revoked mid-flow).
//
// Who may invite whom: a district coordinator, secretaries of the councils
// in their district; a province coordinator, secretaries of any council of
// the province and coordinators of any of its districts.
import { z } from "zod";
import type { Tx } from "../db/database.ts";
import { entryButton } from "../engine/engine.ts";
import { defineFlow } from "../engine/module.ts";
import { type Outcome, showMenu } from "../engine/outcome.ts";
import { encodePostback } from "../engine/postback.ts";
import { confirmStep, YES } from "../engine/steps.ts";
import { END, type FlowData, type Reply, type TurnContext } from "../engine/types.ts";
import { councilStep, districtStep, districtTitle } from "../geography/council-steps.ts";
import { type DistrictOption, getCouncilWithPlace, getDistrict, listDistricts, provinceName } from "../geography/councils.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { createInvite } from "./invites.ts";
import { rolesOf, type RoleGrant } from "./roles.ts";
import { INVITE_ENTRY, STAFF_HOME } from "./staff-entries.ts";
import { STAFF_TEXT as T } from "./texts.ts";

export const INVITE_FLOW = "staff-invite";

const text = (t: string): Reply => ({ kind: "text", text: t });
const menuAfter = (lead: string): Outcome => ({ say: [text(lead)], next: showMenu() });

export type InviteRole = "secretary" | "coordinator";

/** Districts (of the bot's province) where this user may invite each role, read from their roles now. */
export interface InviteScope {
  secretary: DistrictOption[];
  coordinator: DistrictOption[];
}

export async function inviteScope(tx: Tx, userId: string, provinceCode: number): Promise<InviteScope> {
  const coordinator = (await rolesOf(tx, userId)).filter((g) => g.role === "COORDINATOR");
  if (coordinator.length === 0) return { secretary: [], coordinator: [] };
  const all = await listDistricts(tx, provinceCode);
  const wholeProvince = coordinator.some((g) => g.level === "PROVINCE" && g.areaId === provinceCode);
  if (wholeProvince) return { secretary: all, coordinator: all };
  const own = new Set(coordinator.filter((g) => g.level === "DISTRICT").map((g) => g.areaId));
  return { secretary: all.filter((d) => own.has(d.id)), coordinator: [] };
}

/** The server's word on one invite: is the area inside the inviter's? */
export async function mayInvite(tx: Tx, userId: string, provinceCode: number, grant: RoleGrant): Promise<boolean> {
  const scope = await inviteScope(tx, userId, provinceCode);
  if (grant.role === "SECRETARY" && grant.level === "COUNCIL") {
    const council = await getCouncilWithPlace(tx, grant.areaId);
    return council?.active === true && scope.secretary.some((d) => d.id === council.districtId);
  }
  if (grant.role === "COORDINATOR" && grant.level === "DISTRICT") return scope.coordinator.some((d) => d.id === grant.areaId);
  return false;
}

/** A role as people say it: "เลขานุการสภาองค์กรชุมชนตำบลโพธิ์ อำเภอกันทรลักษ์". */
export async function describeGrant(tx: Tx, grant: RoleGrant): Promise<string> {
  if (grant.level === "COUNCIL") {
    const council = await getCouncilWithPlace(tx, grant.areaId);
    return council ? T.secretaryOf(council.name, districtTitle(council.districtNameTh)) : T.secretaryOf(T.unknownArea, "");
  }
  if (grant.level === "DISTRICT") {
    const district = await getDistrict(tx, grant.areaId);
    return T.districtCoordinator(district ? districtTitle(district.nameTh) : T.unknownArea);
  }
  const name = (await provinceName(tx, grant.areaId)) ?? T.unknownArea;
  return grant.role === "ADMIN" ? T.admin(name) : T.provinceCoordinator(name);
}

/** Whom the invite is for: a council's secretary, or a district's coordinator. */
const ANSWERS_SCHEMA = z.discriminatedUnion("role", [
  z.object({ role: z.literal("secretary"), districtId: z.coerce.number().int(), councilId: z.coerce.number().int() }),
  z.object({ role: z.literal("coordinator"), districtId: z.coerce.number().int() }),
]);

/** The answers, confirmed: what complete() gets. */
const INVITE_SCHEMA = z.intersection(ANSWERS_SCHEMA, z.object({ confirmed: z.literal(YES) }));

const grantOf = (a: z.output<typeof ANSWERS_SCHEMA>): RoleGrant =>
  a.role === "secretary"
    ? { role: "SECRETARY", level: "COUNCIL", areaId: a.councilId }
    : { role: "COORDINATOR", level: "DISTRICT", areaId: a.districtId };

/** The grant the answers so far describe, or null while incomplete. */
function grantSoFar(data: FlowData): RoleGrant | null {
  const parsed = ANSWERS_SCHEMA.safeParse(data);
  return parsed.success ? grantOf(parsed.data) : null;
}

function roleChoices(scope: InviteScope) {
  const roles: InviteRole[] = ["secretary", "coordinator"];
  return roles.filter((r) => scope[r].length > 0).map((r) => ({ label: T.inviteRoles[r], value: r }));
}

const districtsFor = (scope: InviteScope, data: FlowData) => (data.role === "coordinator" ? scope.coordinator : scope.secretary);

export interface InviteFlowOptions {
  provinceCode: number;
  hours: number;
}

export function inviteFlow(options: InviteFlowOptions) {
  const scopeOf = (ctx: TurnContext) => inviteScope(ctx.tx, ctx.userId, options.provinceCode);
  return defineFlow({
    id: INVITE_FLOW,
    version: 1,
    title: T.flowTitles.invite,
    schema: INVITE_SCHEMA,
    steps: [
      {
        id: "role",
        slot: "role",
        clears: ["districtId", "councilId"],
        prompt: () => [text(T.askInviteRole)],
        expects: T.inviteRoleExpects,
        input: { kind: "choice", choices: async (ctx) => roleChoices(await scopeOf(ctx)) },
      },
      districtStep({
        prompt: () => [text(T.askInviteDistrict)],
        expects: T.inviteDistrictExpects,
        districts: async (ctx) => districtsFor(await scopeOf(ctx), ctx.state.data),
        next: (data) => (data.role === "coordinator" ? "confirm" : "council"),
      }),
      councilStep({
        prompt: (district) => [text(T.askInviteCouncil(district ?? T.unknownArea))],
        expects: T.inviteCouncilExpects,
        // Only councils of a district inside the inviter's area: a forged
        // district id offers nothing, so no council of it can be picked.
        districtAllowed: async (districtId, ctx) => (await scopeOf(ctx)).secretary.some((d) => d.id === districtId),
      }),
      confirmStep({
        slow: true,
        prompt: async (ctx) => {
          const grant = grantSoFar(ctx.state.data);
          const forWhom = grant ? await describeGrant(ctx.tx, grant) : T.unknownArea;
          return [text(T.inviteConfirmAsk(forWhom, options.hours))];
        },
        expects: T.inviteConfirmExpects,
        yes: T.inviteConfirm,
        next: () => END,
      }),
    ],
    async complete(ctx, data) {
      const grant = grantOf(data);
      if (!(await mayInvite(ctx.tx, ctx.userId, options.provinceCode, grant))) return menuAfter(T.inviteNotAllowed);
      if (grant.role === "SECRETARY") {
        // The council must lie in the district the inviter picked.
        const council = await getCouncilWithPlace(ctx.tx, grant.areaId);
        if (!council || council.districtId !== data.districtId) return menuAfter(T.inviteNotAllowed);
      }
      const { code, expiresAt } = await createInvite(ctx.tx, grant, { userId: ctx.userId, now: ctx.now, hours: options.hours });
      return inviteCard(ctx, grant, code, expiresAt);
    },
  });
}

/** "KX7PM2QR" → "KX7P M2QR": easier to read out; typed with or without the space. */
export const spacedCode = (code: string) => `${code.slice(0, 4)} ${code.slice(4)}`;

async function inviteCard(ctx: TurnContext, grant: RoleGrant, code: string, expiresAt: Date): Promise<Outcome> {
  const forWhom = await describeGrant(ctx.tx, grant);
  const shown = spacedCode(code);
  const until = thaiDateTime(expiresAt);
  const card = renderFlexTemplate("staff-invite", {
    title: T.inviteCardTitle,
    forWhom,
    code: shown,
    expires: T.inviteExpires(until),
    forward: T.inviteForward(forWhom),
    shareLabel: T.inviteShare,
    // LINE's share link opens the chat picker with the text filled in.
    shareUri: `https://line.me/R/share?text=${encodeURIComponent(T.inviteShareText(shown, until))}`,
  });
  return {
    say: [{ kind: "flex", altText: T.inviteCardAlt(shown), contents: card }, text(T.inviteForwardMessage(forWhom, shown, until))],
    buttons: [
      entryButton(INVITE_ENTRY, T.inviteAnother),
      entryButton(STAFF_HOME, T.menu.staff),
      { kind: "postback", label: T.villagerMenu, data: encodePostback({ kind: "global", word: "menu" }), displayText: T.villagerMenu },
    ],
  };
}

/** Where the flow starts: questions with one possible answer are answered for the user. */
export async function inviteStart(
  ctx: TurnContext,
  provinceCode: number,
): Promise<{ data: { role?: InviteRole; districtId?: string }; at: string } | null> {
  const scope = await inviteScope(ctx.tx, ctx.userId, provinceCode);
  const roles = roleChoices(scope);
  if (roles.length === 0) return null;
  if (roles.length > 1) return { data: {}, at: "role" };
  const role = roles[0]!.value;
  const districts = scope[role];
  if (districts.length > 1) return { data: { role }, at: "district" };
  return { data: { role, districtId: String(districts[0]!.id) }, at: role === "coordinator" ? "confirm" : "council" };
}
