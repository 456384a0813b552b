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
import { encodePostback } from "../engine/postback.ts";
import { END, type Button, type FlowData, type FlowDef, type Outgoing, type Reply, type TurnContext } from "../engine/types.ts";
import { getCouncilWithPlace, listCouncilsInDistrict, listDistricts, type DistrictOption } from "../geography/councils.ts";
import { districtTitle } from "../members/signup-flow.ts";
import { renderFlexTemplate } from "../templates/flex.ts";
import { thaiDateTime } from "../thai/format.ts";
import { createInvite } from "./invites.ts";
import { rolesOf, type RoleGrant } from "./roles.ts";
import { STAFF_TEXT as T } from "./texts.ts";

export const INVITE_FLOW = "staff-invite";

const text = (t: string): Reply => ({ kind: "text", text: t });

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
    const district = await tx.district.findUnique({ where: { id: grant.areaId }, select: { nameTh: true } });
    return T.districtCoordinator(district ? districtTitle(district.nameTh) : T.unknownArea);
  }
  const province = await tx.province.findUnique({ where: { id: grant.areaId }, select: { nameTh: true } });
  const name = province?.nameTh ?? T.unknownArea;
  return grant.role === "ADMIN" ? T.admin(name) : T.provinceCoordinator(name);
}

const answersSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("secretary"), districtId: z.coerce.number().int(), councilId: z.coerce.number().int() }),
  z.object({ role: z.literal("coordinator"), districtId: z.coerce.number().int() }),
]);

/** The grant the answers so far describe, or null while incomplete. */
function grantOf(data: FlowData): RoleGrant | null {
  const parsed = answersSchema.safeParse(data);
  if (!parsed.success) return null;
  const a = parsed.data;
  return a.role === "secretary"
    ? { role: "SECRETARY", level: "COUNCIL", areaId: a.councilId }
    : { role: "COORDINATOR", level: "DISTRICT", areaId: a.districtId };
}

function roleChoices(scope: InviteScope) {
  const roles: InviteRole[] = ["secretary", "coordinator"];
  return roles.filter((r) => scope[r].length > 0).map((r) => ({ label: T.inviteRoles[r], value: r }));
}

const districtsFor = (scope: InviteScope, data: FlowData) => (data.role === "coordinator" ? scope.coordinator : scope.secretary);

export interface InviteFlowOptions {
  provinceCode: number;
  hours: number;
  /** Replies with the main menu (used when the invite is refused). */
  menuAfter: (ctx: TurnContext, lead: string) => Promise<Outgoing>;
}

export function inviteFlow(options: InviteFlowOptions): FlowDef {
  const scopeOf = (ctx: TurnContext) => inviteScope(ctx.tx, ctx.userId, options.provinceCode);
  return {
    id: INVITE_FLOW,
    version: 1,
    title: T.flowTitles.invite,
    steps: [
      {
        id: "role",
        slot: "role",
        clears: ["districtId", "councilId"],
        prompt: () => [text(T.askInviteRole)],
        expects: T.inviteRoleExpects,
        input: { kind: "choice", choices: async (ctx) => roleChoices(await scopeOf(ctx)) },
      },
      {
        id: "district",
        slot: "districtId",
        clears: ["councilId"],
        prompt: () => [text(T.askInviteDistrict)],
        expects: T.inviteDistrictExpects,
        input: {
          kind: "choice",
          choices: async (ctx) => districtsFor(await scopeOf(ctx), ctx.state.data).map((d) => ({ label: d.nameTh, value: String(d.id) })),
        },
        next: (data) => (data.role === "coordinator" ? "confirm" : "council"),
      },
      {
        id: "council",
        slot: "councilId",
        prompt: async (ctx) => {
          const district = await ctx.tx.district.findUnique({
            where: { id: Number(ctx.state.data.districtId) || 0 },
            select: { nameTh: true },
          });
          return [text(T.askInviteCouncil(district ? districtTitle(district.nameTh) : T.unknownArea))];
        },
        expects: T.inviteCouncilExpects,
        input: {
          kind: "choice",
          choices: async (ctx) => {
            const districtId = Number(ctx.state.data.districtId);
            // Only councils of a district inside the inviter's area: a forged
            // district id offers nothing, so no council of it can be picked.
            if (!(await scopeOf(ctx)).secretary.some((d) => d.id === districtId)) return [];
            const councils = await listCouncilsInDistrict(ctx.tx, districtId);
            const perTambon = new Map<string, number>();
            for (const c of councils) perTambon.set(c.tambonNameTh, (perTambon.get(c.tambonNameTh) ?? 0) + 1);
            return councils.map((c) => ({
              label: perTambon.get(c.tambonNameTh)! > 1 ? c.name : c.tambonNameTh,
              value: String(c.id),
            }));
          },
        },
      },
      {
        id: "confirm",
        slot: "confirmed",
        slow: true,
        prompt: async (ctx) => {
          const grant = grantOf(ctx.state.data);
          const forWhom = grant ? await describeGrant(ctx.tx, grant) : T.unknownArea;
          return [text(T.inviteConfirmAsk(forWhom, options.hours))];
        },
        expects: T.inviteConfirmExpects,
        input: { kind: "choice", choices: () => [{ label: T.inviteConfirm, value: "yes" }] },
        next: () => END,
      },
    ],
    async complete(ctx, data) {
      const grant = grantOf(data);
      if (!grant || !(await mayInvite(ctx.tx, ctx.userId, options.provinceCode, grant))) {
        return options.menuAfter(ctx, T.inviteNotAllowed);
      }
      if (grant.role === "SECRETARY") {
        // The council must lie in the district the inviter picked.
        const council = await getCouncilWithPlace(ctx.tx, grant.areaId);
        if (!council || String(council.districtId) !== String(data.districtId)) return options.menuAfter(ctx, T.inviteNotAllowed);
      }
      const { code, expiresAt } = await createInvite(ctx.tx, grant, { userId: ctx.userId, now: ctx.now, hours: options.hours });
      return inviteCard(ctx, grant, code, expiresAt);
    },
  };
}

/** "KX7PM2QR" → "KX7P M2QR": easier to read out; typed with or without the space. */
export const spacedCode = (code: string) => `${code.slice(0, 4)} ${code.slice(4)}`;

async function inviteCard(ctx: TurnContext, grant: RoleGrant, code: string, expiresAt: Date): Promise<Outgoing> {
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
  const menuButton = (label: string, entry: string): Button => ({
    kind: "postback",
    label,
    data: encodePostback({ kind: "menu", entry }),
    displayText: label,
  });
  return {
    replies: [{ kind: "flex", altText: T.inviteCardAlt(shown), contents: card }, text(T.inviteForwardMessage(forWhom, shown, until))],
    buttons: [
      menuButton(T.inviteAnother, "staff-invite"),
      menuButton(T.menu.staff, "staff"),
      { kind: "postback", label: T.villagerMenu, data: encodePostback({ kind: "global", word: "menu" }), displayText: T.villagerMenu },
    ],
  };
}

/** Where the flow starts: questions with one possible answer are answered for the user. */
export async function inviteStart(ctx: TurnContext, provinceCode: number): Promise<{ data: FlowData; at: string } | null> {
  const scope = await inviteScope(ctx.tx, ctx.userId, provinceCode);
  const roles = roleChoices(scope);
  if (roles.length === 0) return null;
  if (roles.length > 1) return { data: {}, at: "role" };
  const role = roles[0]!.value;
  const districts = scope[role];
  if (districts.length > 1) return { data: { role }, at: "district" };
  return { data: { role, districtId: String(districts[0]!.id) }, at: role === "coordinator" ? "confirm" : "council" };
}
