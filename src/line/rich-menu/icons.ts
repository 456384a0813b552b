// Tile icons as SVG drawn on a 100×100 box. Thick, few strokes, no detail:
// they are seen at about a thumbnail's size on cheap phones, by people
// who may not read the label. Each takes the colour to draw in (white) and
// the tile colour (to cut shapes out of filled ones).

export type IconName =
  | "flood"
  | "fund"
  | "repair"
  | "requests"
  | "meeting"
  | "person"
  | "help"
  // the staff menu's
  | "badge"
  | "link"
  | "chart"
  | "megaphone"
  | "invite"
  | "bell"
  | "home"
  // the flood-first menu's
  | "safe"
  | "phone";

const stroke = (c: string, w = 7) => `fill="none" stroke="${c}" stroke-width="${w}" stroke-linecap="round" stroke-linejoin="round"`;

const house = (c: string) => `<path d="M14 46 L50 16 L86 46" ${stroke(c, 8)}/><path d="M24 40 V66 H76 V40" ${stroke(c, 8)}/>`;

const waves = (c: string, y: number) =>
  [0, 14].map((dy) => `<path d="M6 ${y + dy} q11 -9 22 0 t22 0 t22 0 t22 0" ${stroke(c, 7)}/>`).join("");

export const ICONS: Record<IconName, (c: string, bg: string) => string> = {
  // A house with water up its walls.
  flood: (c) => `${house(c)}${waves(c, 72)}`,
  // A coin with the baht sign.
  fund: (c, bg) =>
    `<circle cx="50" cy="50" r="42" fill="${c}"/><circle cx="50" cy="50" r="33" fill="none" stroke="${bg}" stroke-width="4"/>` +
    `<path d="M42 28 V72 M42 30 H54 a10 10 0 0 1 0 20 H42 M42 50 H57 a11 11 0 0 1 0 22 H42 M50 22 V30 M50 72 V80" ${stroke(bg, 7)}/>`,
  // A house and a hammer.
  repair: (c, bg) =>
    `<path d="M6 48 L38 20 L70 48" ${stroke(c, 8)}/><path d="M15 42 V82 H50" ${stroke(c, 8)}/>` +
    `<g transform="rotate(40 72 68)"><rect x="67" y="58" width="10" height="40" rx="4" fill="${c}" stroke="${bg}" stroke-width="3"/>` +
    `<rect x="54" y="44" width="36" height="18" rx="4" fill="${c}" stroke="${bg}" stroke-width="3"/></g>`,
  // A clipboard with ticked lines.
  requests: (c, bg) =>
    `<rect x="18" y="14" width="64" height="80" rx="8" fill="${c}"/><rect x="36" y="6" width="28" height="16" rx="5" fill="${c}" stroke="${bg}" stroke-width="4"/>` +
    `<path d="M28 42 l6 6 l10 -12 M28 68 l6 6 l10 -12" ${stroke(bg, 6)}/><path d="M54 44 H72 M54 70 H72" ${stroke(bg, 6)}/>`,
  // Three people side by side.
  meeting: (c, bg) =>
    `<circle cx="22" cy="38" r="11" fill="${c}"/><circle cx="78" cy="38" r="11" fill="${c}"/>` +
    `<path d="M4 84 a18 20 0 0 1 36 0 Z M60 84 a18 20 0 0 1 36 0 Z" fill="${c}"/>` +
    `<circle cx="50" cy="32" r="14" fill="${c}" stroke="${bg}" stroke-width="4"/>` +
    `<path d="M26 90 a24 27 0 0 1 48 0 Z" fill="${c}" stroke="${bg}" stroke-width="4"/>`,
  // One person.
  person: (c) => `<circle cx="50" cy="30" r="20" fill="${c}"/><path d="M14 92 a36 38 0 0 1 72 0 Z" fill="${c}"/>`,
  // A question mark in a ring.
  help: (c) =>
    `<circle cx="50" cy="50" r="42" ${stroke(c, 8)}/>` +
    `<path d="M36 38 a14 14 0 1 1 20 12 c-5 3 -6 6 -6 12" ${stroke(c, 9)}/><circle cx="50" cy="76" r="6" fill="${c}"/>`,
  // A staff badge on a lanyard: "งานเจ้าหน้าที่".
  badge: (c, bg) =>
    `<path d="M36 6 L50 24 L64 6" ${stroke(c, 7)}/><rect x="20" y="24" width="60" height="70" rx="10" fill="${c}"/>` +
    `<circle cx="50" cy="50" r="11" fill="${bg}"/><path d="M32 82 a18 16 0 0 1 36 0 Z" fill="${bg}"/>`,
  // Two chain links: linking a member to their fund record.
  link: (c) =>
    `<rect x="6" y="36" width="50" height="28" rx="14" transform="rotate(-35 31 50)" ${stroke(c, 8)}/>` +
    `<rect x="44" y="36" width="50" height="28" rx="14" transform="rotate(-35 69 50)" ${stroke(c, 8)}/>`,
  // A bar chart.
  chart: (c) =>
    `<path d="M10 90 H92" ${stroke(c, 7)}/><rect x="16" y="54" width="16" height="30" rx="3" fill="${c}"/>` +
    `<rect x="42" y="30" width="16" height="54" rx="3" fill="${c}"/><rect x="68" y="12" width="16" height="72" rx="3" fill="${c}"/>`,
  // A loudhailer: an announcement.
  megaphone: (c) =>
    `<path d="M14 40 H30 L74 16 V84 L30 60 H14 Z" fill="${c}"/><path d="M24 60 L32 88 H44 L38 60" fill="${c}"/>` +
    `<path d="M84 38 q8 12 0 24" ${stroke(c, 6)}/>`,
  // A person and a plus sign: invite someone.
  invite: (c) =>
    `<circle cx="38" cy="32" r="18" fill="${c}"/><path d="M4 92 a34 36 0 0 1 68 0 Z" fill="${c}"/>` +
    `<path d="M82 30 V62 M66 46 H98" ${stroke(c, 9)}/>`,
  // A bell.
  bell: (c) =>
    `<path d="M50 10 a6 6 0 0 1 0 12 a24 24 0 0 0 -26 26 V66 L14 78 H86 L76 66 V48 a24 24 0 0 0 -26 -26 a6 6 0 0 1 0 -12 Z" fill="${c}"/>` +
    `<path d="M38 84 a12 10 0 0 0 24 0 Z" fill="${c}"/>`,
  // A shield with a tick: "I am safe".
  safe: (c, bg) =>
    `<path d="M50 6 L88 20 V46 C88 70 72 86 50 95 C28 86 12 70 12 46 V20 Z" fill="${c}"/>` +
    `<path d="M32 50 L45 63 L69 37" ${stroke(bg, 9)}/>`,
  // A telephone handset: emergency numbers.
  phone: (c) =>
    `<path d="M22 8 L38 8 L46 30 L34 40 C40 54 48 62 60 68 L70 56 L92 64 L92 80 C92 88 86 94 78 94 C40 90 10 60 6 22 C6 14 12 8 22 8 Z" fill="${c}"/>`,
  // A house: back to the villagers' services.
  home: (c, bg) =>
    `<path d="M50 8 L94 46 H82 V92 H18 V46 H6 Z" fill="${c}"/><rect x="40" y="60" width="20" height="32" rx="3" fill="${bg}"/>`,
};
