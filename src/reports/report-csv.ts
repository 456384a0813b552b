// The downloadable version of each report: every row, where the chat shows
// at most a screenful. Same queries, same scope, more columns.
import type { Tx } from "../db/database.ts";
import { bangkokIsoDate, thaiDateTime } from "../thai/format.ts";
import { toCsv, type Cell } from "./csv.ts";
import type { ExportReport } from "./export-links.ts";
import { presetPeriod, type Period } from "./period.ts";
import { KIND_LIST } from "../help-requests/kinds/index.ts";
import { STATUSES, fundFigures, meetingFigures, openCriticalCases, requestCounts, totalOf, type Scope } from "./queries.ts";
import { REPORT_TEXT as T } from "./texts.ts";

const C = T.csv;

export async function reportCsv(tx: Tx, report: ExportReport, scope: Scope, period: Period | undefined, now: Date): Promise<string> {
  const councils = new Map(scope.councils.map((c) => [c.id, c]));
  switch (report) {
    case "requests": {
      const p = period ?? presetPeriod("30d", now);
      const counts = await requestCounts(tx, scope, p);
      const rows: Cell[][] = [];
      for (const c of scope.councils) {
        for (const kind of KIND_LIST) {
          const k = counts.get(c.id)![kind.kind];
          rows.push([c.districtName, c.name, kind.names.csv, ...STATUSES.map((s) => k[s]), totalOf(k), p.from, p.to]);
        }
      }
      return toCsv([C.district, C.council, C.kind, ...STATUSES.map((s) => C.statuses[s]), C.total, C.from, C.to], rows);
    }
    case "critical": {
      const cases = await openCriticalCases(tx, scope);
      const rows = cases.map((r) => {
        const c = councils.get(r.councilId)!;
        const hours = Math.floor((now.getTime() - r.createdAt.getTime()) / 3_600_000);
        return [
          r.caseNumber,
          c.districtName,
          c.name,
          T.priorities.CRITICAL,
          T.csv.statuses[r.status],
          r.peopleCount ?? "",
          thaiDateTime(r.createdAt),
          hours,
        ];
      });
      return toCsv([C.caseNumber, C.district, C.council, C.priority, C.status, C.people, C.filedAt, C.ageHours], rows);
    }
    case "meetings": {
      const meetings = await meetingFigures(tx, scope, now);
      const rows = meetings.map((m) => [
        m.title,
        thaiDateTime(m.startsAt),
        m.capacity ?? T.unlimited,
        m.registered.parties,
        m.registered.people,
        m.waitlisted.parties,
        m.waitlisted.people,
        m.seatsLeft ?? T.unlimited,
      ]);
      return toCsv(
        [C.meeting, C.startsAt, C.capacity, C.registeredParties, C.registeredPeople, C.waitlistedParties, C.waitlistedPeople, C.seatsLeft],
        rows,
      );
    }
    case "funds": {
      const funds = await fundFigures(tx, scope, now);
      const rows = funds.map((f) => {
        const c = councils.get(f.councilId)!;
        return [c.districtName, c.name, f.fundName, f.members, f.savedThisYear, f.benefitsThisYear, f.benefitsPaidThisYear];
      });
      return toCsv([C.district, C.council, C.fund, C.members, C.saved, C.benefitCount, C.benefitAmount], rows);
    }
  }
}

/** An ASCII file name (Content-Disposition), from our own fixed parts only. */
export function csvFileName(report: ExportReport, period: Period | undefined, now: Date): string {
  const day = period ? `${period.from}_${period.to}` : bangkokIsoDate(now);
  return `${report}_${day}.csv`;
}
