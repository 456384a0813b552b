// Wires the parts together: HTTP layer → inbox → processor → bot → LINE.
import { autovacuumJob } from "./db/autovacuum-job.ts";
import { createBot } from "./bot.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import { createHttpApp } from "./http/app.ts";
import { InboxWriter } from "./inbox/inbox-writer.ts";
import { type JobSchedule, JobScheduler } from "./jobs/scheduler.ts";
import { EventProcessor } from "./inbox/processor.ts";
import { escalationJob } from "./help-requests/escalation-job.ts";
import { CASES_ENTRY } from "./help-requests/case-card.ts";
import { photoFetcher, voiceFetcher } from "./help-requests/photo-fetcher.ts";
import { LineGateway } from "./line/gateway.ts";
import { richMenuLinkJob } from "./line/rich-menu/link-job.ts";
import { bulkRichMenuLinkJob } from "./line/rich-menu/bulk-link-job.ts";
import { FLOOD_MENU } from "./line/rich-menu/flood-menu.ts";
import { FLOOD_MENU_AUDIENCE, FLOOD_MENU_STAMP_SQL } from "./disaster/menu-audience.ts";
import type { Logger } from "./log.ts";
import { createMetrics, type MetricsRegistry } from "./metrics.ts";
import { outboxProbe } from "./http/metrics.ts";
import { announcementSendJob } from "./announcements/send-job.ts";
import { checkInJob } from "./disaster/checkin-job.ts";
import { reportRefusedAnnouncement } from "./announcements/refused.ts";
import { MediaLinks } from "./line/media-links.ts";
import { meetingReminderJob } from "./meetings/reminder-job.ts";
import { registrationDigestLine } from "./meetings/registration-notice.ts";
import { erasureJob } from "./privacy/erasure.ts";
import { outboxWorker } from "./outbox/worker.ts";
import { ExportLinks, exportSigningSecret } from "./reports/export-links.ts";
import { staffDigestJob } from "./staff/digest-job.ts";
import { unansweredNoticeJob } from "./disaster/unanswered-job.ts";
import { SummaryCsvLinks } from "./disaster/summary-csv.ts";
import { situationSummaryJob } from "./disaster/summary-job.ts";
import { STAFF_USERS_SQL } from "./staff/roles.ts";
import { fundLinkHashSecret } from "./welfare-fund/link-store.ts";

export interface AppOptions {
  config: Config;
  db: Database;
  logger: Logger;
  /** Tests move time; production uses the wall clock. */
  now?: () => Date;
  /** How often the processor looks for retries and orphaned work; 0: only when a test sweeps. Default: the processor's. */
  sweepIntervalMs?: number;
  /** How often background jobs look for due work; 0: only when kicked or run by a test. */
  jobIntervalMs?: number;
  lineTimeoutMs?: number;
  /** Each app counts on its own registry unless given one. */
  metrics?: MetricsRegistry;
  /** This process's instance key (src/db/instance-lock.ts), recorded on the leases it takes. */
  instanceKey?: string;
}

export function createApp(options: AppOptions) {
  const { config, db, logger } = options;
  const metrics = options.metrics ?? createMetrics();
  const gateway = config.line.channelAccessToken
    ? new LineGateway({
        channelAccessToken: config.line.channelAccessToken,
        apiBaseUrl: config.line.apiBaseUrl,
        dataApiBaseUrl: config.line.dataApiBaseUrl,
        timeoutMs: options.lineTimeoutMs,
        metrics,
      })
    : null;
  // One signer for the links the bot hands out and the route that checks them.
  const signingSecret = exportSigningSecret({ exportSigningSecret: config.exportSigningSecret, channelSecret: config.line.channelSecret });
  const exportLinks = new ExportLinks({ secret: signingSecret, baseUrl: config.publicBaseUrl });
  // Announcement photos, fetched by LINE from us (its own key derived from the same secret).
  // Help requests' photos too, under links that expire by this clock.
  const mediaLinks = new MediaLinks({
    secret: signingSecret,
    baseUrl: config.publicBaseUrl,
    now: options.now,
    allowHttp: config.mediaOverHttp,
  });
  // The situation summary's CSV links (a key of their own derived from the same secret).
  const summaryCsvLinks = new SummaryCsvLinks({ secret: signingSecret, baseUrl: config.publicBaseUrl });
  const bot = createBot({
    summaryCsvLinks,
    summaryChartFont: config.summaryChartFont,
    exportLinks,
    mediaLinks,
    provinceCode: config.provinceCode,
    conversationTimeoutMinutes: config.conversationTimeoutMinutes,
    inviteCodeHours: config.inviteCodeHours,
    disasterUnansweredHours: config.disasterUnansweredHours,
    digestTime: config.digestTime,
    pushQuotaMonthly: config.pushQuota.monthly,
    fundLinkHashSecret: fundLinkHashSecret({ fundLinkHashSecret: config.fundLinkHashSecret, channelSecret: config.line.channelSecret }),
  });
  const now = options.now ?? (() => new Date());
  metrics.setOutboxProbe(outboxProbe(db, now));
  const jobs = new JobScheduler({ logger, now, intervalMs: options.jobIntervalMs });
  // An idle bot looks for work rarely (each look costs statements); what a
  // turn queues (pushes, photos, menus, announcements, an erasure once a
  // request closes) wakes its job at once.
  const EVERY_MINUTE: JobSchedule = { every: 60 };
  const WOKEN_BY_TURNS: JobSchedule = { every: 30, wakeOn: ["turn"] };
  // Disaster mode's jobs and the menu links: their work comes from turns
  // (which wake them at once) or counts in hours; a look every 5 minutes
  // keeps an idle bot under one statement a second (issue 13) with four
  // more jobs. What no turn announces (a role granted by the CLI) waits up
  // to 5 minutes for its menu.
  const EVERY_5_MINUTES: JobSchedule = { every: 300 };
  const WOKEN_BY_TURNS_5_MINUTES: JobSchedule = { every: 300, wakeOn: ["turn"] };
  // Queues the day-before reminders; the outbox worker sends them.
  jobs.add(meetingReminderJob({ db, reminderTime: config.meetingReminderTime }), EVERY_MINUTE);
  // Critical flood cases nobody accepted, housing cases nobody moved.
  jobs.add(
    escalationJob({ db, criticalAfterMinutes: config.escalateCriticalAfterMinutes, housingIdleDays: config.housingIdleReminderDays }),
    EVERY_MINUTE,
  );
  // Requests kept open past their filer's consent withdrawal, anonymised once closed (PDPA; docs/privacy.md).
  jobs.add(erasureJob({ db }), { every: 60, wakeOn: ["turn"] });
  // PGlite has no autovacuum of its own (single-user mode).
  if (db.kind === "pglite") jobs.add(autovacuumJob({ sql: db.sql }), EVERY_MINUTE);
  // The evening digest of staff who chose it.
  jobs.add(
    staffDigestJob({ db, digestTime: config.digestTime, casesEntry: CASES_ENTRY, currentLine: registrationDigestLine }),
    EVERY_MINUTE,
  );
  // Disaster mode: a council's secretaries told once when members have not answered the check-in.
  jobs.add(unansweredNoticeJob({ db, hours: config.disasterUnansweredHours }), EVERY_5_MINUTES);
  // Each active flood situation's summary to its coordinators, every DISASTER_SUMMARY_HOURS.
  jobs.add(
    situationSummaryJob({
      db,
      hours: config.disasterSummaryHours,
      csvLinks: summaryCsvLinks,
      media: mediaLinks,
      chartFont: config.summaryChartFont,
    }),
    EVERY_5_MINUTES,
  );
  // Starts due announcements (queues their outbox chunks) before the worker sends them.
  jobs.add(announcementSendJob({ db, logger, media: mediaLinks, gateway }), WOKEN_BY_TURNS);
  // Queues each active situation's safety check-ins (batches of outbox multicasts) for the worker.
  jobs.add(checkInJob({ db, logger }), WOKEN_BY_TURNS);
  // Without LINE credentials the outbox keeps its rows until a token is set.
  const quota = { ...config.pushQuota, adminLineUserIds: config.adminLineUserIds };
  if (gateway) {
    // A message LINE refuses for good is reported: an announcement to its author.
    jobs.add(outboxWorker({ db, gateway, logger, now, quota, onRefused: reportRefusedAnnouncement, instanceKey: options.instanceKey }), {
      every: 15,
      wakeOn: ["turn", "work"],
    });
    // Photos of help requests: LINE keeps message contents for a limited time.
    jobs.add(photoFetcher({ db, gateway, logger }), WOKEN_BY_TURNS);
    jobs.add(voiceFetcher({ db, gateway, logger }), WOKEN_BY_TURNS);
    // The staff rich menu for users with a role, the villagers' again when the last role goes.
    jobs.add(richMenuLinkJob({ db, gateway, logger, audience: STAFF_USERS_SQL }), WOKEN_BY_TURNS_5_MINUTES);
    // The flood-first menu for members in an active situation's area (a declaration is a turn), bulk-linked and paced.
    jobs.add(
      bulkRichMenuLinkJob({
        db,
        gateway,
        logger,
        alias: FLOOD_MENU.alias,
        audience: FLOOD_MENU_AUDIENCE,
        audienceStamp: FLOOD_MENU_STAMP_SQL,
      }),
      WOKEN_BY_TURNS_5_MINUTES,
    );
  }
  const processor = new EventProcessor({
    db,
    handler: bot.handleEvent,
    gateway,
    logger,
    concurrency: config.eventConcurrency,
    now: options.now,
    // Undefined keeps the processor's default (withDefaults, src/options.ts).
    sweepIntervalMs: options.sweepIntervalMs,
    afterCommit: () => jobs.kick("turn"),
    metrics,
    instanceKey: options.instanceKey,
    quota,
  });
  const http = createHttpApp({
    channelSecret: config.line.channelSecret,
    db,
    inbox: new InboxWriter(db),
    logger,
    onStored: (keys) => processor.kick(keys),
    metrics,
    metricsToken: config.metricsToken,
    exports: { links: exportLinks, now, summary: summaryCsvLinks },
    media: mediaLinks,
  });
  return { http, processor, jobs, bot, gateway, metrics };
}
