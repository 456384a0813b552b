// The demo chat page: plain browser JavaScript, no build step. It shows each
// persona's chat as LINE would (text, quick replies, Flex, images, the rich
// menu) and sends what the user does to /simulator/api, which delivers it to
// the bot as a signed LINE webhook.
const api = (path, init) => fetch(`/simulator/api${path}`, init).then((r) => r.json());
const post = (path, body) => api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const $ = (id) => document.getElementById(id);

const state = { personas: [], current: null, chats: new Map(), unread: new Map(), loading: new Map(), richMenu: null, villages: [] };

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "style") Object.assign(node.style, v);
    else if (k === "className") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

// --- personas ---------------------------------------------------------------

const ROLE_NAMES = { villager: "ชาวบ้าน", secretary: "เลขาฯ สภา", coordinator: "ผู้ประสานงาน" };

function renderPersonas() {
  $("persona-list").replaceChildren(
    ...state.personas.map((p) => {
      const unread = state.unread.get(p.userId) ?? 0;
      return el(
        "li",
        {},
        el(
          "button",
          {
            className: `persona${state.current === p.userId ? " active" : ""}`,
            "data-persona": p.displayName,
            onclick: () => selectPersona(p.userId),
          },
          el(
            "span",
            { className: "name" },
            p.displayName,
            unread > 0 ? el("span", { className: "unread", "data-unread": unread }, unread) : null,
          ),
          el("span", { className: `role ${p.role}` }, ROLE_NAMES[p.role] ?? p.role),
          el("span", { className: "about" }, p.about),
        ),
      );
    }),
  );
}

async function selectPersona(userId) {
  state.current = userId;
  state.unread.delete(userId);
  localStorage.setItem("simulator.persona", userId);
  const persona = state.personas.find((p) => p.userId === userId);
  $("chat-as").textContent = `คุณคือ ${persona?.displayName ?? userId}`;
  renderPersonas();
  refreshRichMenu().catch(console.error);
  const { entries } = await api(`/chats/${encodeURIComponent(userId)}`);
  // What the page already shows stays: after a server restart the server's history starts empty.
  const held = state.chats.get(userId) ?? [];
  const keys = new Set(held.map((x) => x.key));
  state.chats.set(userId, [...held, ...entries.filter((x) => !keys.has(x.key))]);
  renderChat();
  // The first time a persona opens the chat is LINE's "add friend".
  await post("/open", { userId });
}

// --- the chat ---------------------------------------------------------------

function renderChat() {
  const entries = state.chats.get(state.current) ?? [];
  const box = $("messages");
  box.replaceChildren(...entries.map(renderEntry));
  if (state.loading.get(state.current) > Date.now())
    box.append(el("div", { className: "row bot" }, el("div", { className: "avatar" }, "สภา"), el("div", { className: "typing" }, "•••")));
  box.scrollTop = box.scrollHeight;
  renderQuickReplies(entries.at(-1));
}

function renderEntry(entry) {
  const m = entry.message;
  const content = renderMessage(m, entry.from);
  if (entry.from === "user") return el("div", { className: "row user", "data-from": "user" }, content);
  return el(
    "div",
    { className: "row bot", "data-from": "bot" },
    el("div", { className: "avatar" }, "สภา"),
    content,
    entry.via && entry.via !== "reply" ? el("span", { className: "via", title: "ส่งแบบ push (ไม่ใช่การตอบกลับ)" }, entry.via) : null,
  );
}

function renderMessage(m, from) {
  switch (m.type) {
    case "text":
      return el("div", { className: "bubble-text" }, m.text);
    case "sticker":
      return el("div", { className: "sticker", title: `sticker ${m.packageId}/${m.stickerId}` }, "😊");
    case "image": {
      const src = from === "user" ? `/simulator/api/content/${encodeURIComponent(m.id)}` : (m.previewImageUrl ?? m.originalContentUrl);
      // A tap opens it full size, as LINE's image viewer does (originalContentUrl).
      const full = from === "user" ? src : (m.originalContentUrl ?? src);
      return el("img", { className: "msg-image", src, alt: "รูปภาพ", title: "แตะเพื่อดูรูปเต็ม", onclick: () => viewImage(full) });
    }
    case "location":
      return el(
        "div",
        { className: "location-card" },
        el("div", { className: "map" }, "📍"),
        el("div", { className: "where" }, el("b", {}, m.title ?? "ตำแหน่ง"), el("br"), m.address ?? `${m.latitude}, ${m.longitude}`),
      );
    case "flex":
      return renderFlexContainer(m.contents);
    case "template":
      return renderTemplate(m);
    default:
      return el("div", { className: "bubble-text alt" }, m.altText ?? `[${m.type}]`);
  }
}

function renderQuickReplies(last) {
  const bar = $("quick-replies");
  const items = last && last.from === "bot" ? (last.message.quickReply?.items ?? []) : [];
  bar.replaceChildren(
    ...items.map((item) => {
      const a = item.action;
      const label = a.label ?? { location: "ส่งตำแหน่ง", camera: "กล้อง", cameraRoll: "รูปภาพ" }[a.type] ?? a.type;
      return el(
        "button",
        { className: "qr", type: "button", "data-action": a.type, onclick: () => runAction(a) },
        a.type === "location" ? `📍 ${label}` : label,
      );
    }),
  );
}

// --- actions: what a tap does, as in LINE -------------------------------------

async function runAction(a) {
  if (!a || !state.current) return;
  switch (a.type) {
    case "message":
      return send({ type: "text", text: a.text });
    case "postback":
      return send({ type: "postback", data: a.data, displayText: a.displayText ?? a.text });
    case "uri":
      window.open(a.uri, "_blank", "noopener");
      return;
    case "datetimepicker":
      return pickDatetime(a);
    case "location":
      return openLocationPicker();
    case "camera":
    case "cameraRoll":
      $("image-input").click();
      return;
    default:
      console.warn("action not simulated", a.type);
  }
}

async function send(action) {
  const userId = state.current;
  await post("/send", { userId, action });
}

function viewImage(src) {
  $("image-viewer-img").src = src;
  $("image-viewer").showModal();
}

function pickDatetime(a) {
  const input = $("datetime-input");
  input.type = { date: "date", time: "time", datetime: "datetime-local" }[a.mode] ?? "datetime-local";
  input.value = a.initial ?? "";
  if (a.min) input.min = a.min;
  if (a.max) input.max = a.max;
  $("datetime-title").textContent = a.label ?? "เลือกวันเวลา";
  const dialog = $("datetime-dialog");
  dialog.onclose = () => {
    if (dialog.returnValue !== "ok" || !input.value) return;
    send({ type: "postback", data: a.data, params: { [a.mode ?? "datetime"]: input.value } });
  };
  dialog.showModal();
}

function openLocationPicker() {
  const dialog = $("location-dialog");
  $("village-list").replaceChildren(
    ...state.villages.map((v) =>
      el(
        "button",
        {
          type: "button",
          "data-village": v.title,
          onclick: () => {
            dialog.close("cancel");
            send({ type: "location", ...v });
          },
        },
        v.title,
        el("small", {}, v.address),
      ),
    ),
  );
  dialog.onclose = () => {
    if (dialog.returnValue !== "coords") return;
    const latitude = Number($("lat").value);
    const longitude = Number($("lng").value);
    if (Number.isFinite(latitude) && Number.isFinite(longitude) && $("lat").value && $("lng").value) {
      send({ type: "location", latitude, longitude, title: "ตำแหน่งที่ปักหมุด", address: `${latitude.toFixed(5)}, ${longitude.toFixed(5)}` });
    }
  };
  dialog.showModal();
}

// --- Flex: bubbles and carousels, as much of the spec as templates use ------

const TEXT_SIZES = { xxs: 11, xs: 13, sm: 14, md: 16, lg: 19, xl: 22, xxl: 29, "3xl": 35, "4xl": 48, "5xl": 74 };
const SPACES = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
const BUBBLE_WIDTHS = { nano: 120, micro: 160, deca: 220, hecto: 241, kilo: 260, mega: 300, giga: 386 };
const IMAGE_SIZES = { xxs: 40, xs: 60, sm: 80, md: 100, lg: 120, xl: 140, xxl: 160, "3xl": 180, "4xl": 200, "5xl": 220, full: "100%" };
const px = (v, table = SPACES) => (v === undefined ? undefined : typeof v === "string" && v in table ? `${table[v]}px` : v);

function renderFlexContainer(c) {
  if (!c) return el("div", { className: "bubble-text alt" }, "[flex]");
  if (c.type === "carousel") return el("div", { className: "flex-carousel" }, c.contents.map(renderBubble));
  return renderBubble(c);
}

function renderBubble(b) {
  const width = BUBBLE_WIDTHS[b.size ?? "mega"] ?? 300;
  const block = (name, defaultPadding) => {
    const node = b[name];
    if (!node) return null;
    const style = b.styles?.[name] ?? {};
    const rendered = renderComponent(node, "vertical");
    if (name !== "hero" && !("paddingAll" in node)) rendered.style.padding = defaultPadding;
    return el(
      "div",
      {
        className: `blk ${name}`,
        style: {
          background: style.backgroundColor,
          borderTop: style.separator ? `1px solid ${style.separatorColor ?? "#e0e0e0"}` : undefined,
        },
      },
      rendered,
    );
  };
  return el(
    "div",
    { className: "flex-bubble", style: { width: `${Math.min(width, 300)}px`, direction: b.direction === "rtl" ? "rtl" : undefined } },
    block("header", "20px"),
    block("hero", "0"),
    block("body", "20px"),
    block("footer", "10px"),
  );
}

/** `parent`: the layout of the enclosing box, which decides flex defaults and margin sides. */
function renderComponent(c, parent) {
  let node;
  switch (c.type) {
    case "box":
      node = renderBox(c);
      break;
    case "text":
      node = renderText(c);
      break;
    case "span":
      node = el(
        "span",
        { style: { color: c.color, fontWeight: c.weight === "bold" ? 700 : undefined, fontSize: px(c.size, TEXT_SIZES) } },
        c.text,
      );
      break;
    case "separator":
      node = el("hr", { className: "flex-sep", style: { borderColor: c.color } });
      break;
    case "image":
      node = renderImage(c);
      break;
    case "icon":
      node = el("img", { src: c.url, alt: "", style: { width: px(c.size ?? "md", TEXT_SIZES), height: px(c.size ?? "md", TEXT_SIZES) } });
      break;
    case "button":
      node = el(
        "button",
        {
          type: "button",
          className: `flex-button ${c.style ?? "link"} ${c.height === "sm" ? "sm" : ""}`,
          style: c.color ? (c.style === "link" || !c.style ? { color: c.color } : { background: c.color }) : {},
          onclick: () => runAction(c.action),
        },
        c.action?.label ?? "",
      );
      break;
    case "filler":
      node = el("div", { style: { flex: String(c.flex ?? 1) } });
      break;
    case "spacer":
      node = el("div", { style: { flex: "none", height: px(c.size ?? "md"), width: px(c.size ?? "md") } });
      break;
    default:
      node = el("div", {}, `[${c.type}]`);
  }
  // Flex: children of horizontal boxes share the width (default 1); of vertical ones, take their height (default 0).
  const flex = c.flex ?? (parent === "vertical" ? 0 : c.type === "separator" || c.type === "icon" ? 0 : 1);
  if (c.type !== "filler" && c.type !== "span") node.style.flex = flex === 0 ? "0 0 auto" : `${flex} 1 0`;
  if (c.margin && c.type !== "span") node.style[parent === "vertical" ? "marginTop" : "marginLeft"] = px(c.margin);
  if (c.position === "absolute")
    Object.assign(node.style, { position: "absolute", top: c.offsetTop, left: c.offsetStart, right: c.offsetEnd, bottom: c.offsetBottom });
  if (c.action && c.type !== "button") {
    node.classList.add("tappable");
    node.addEventListener("click", (e) => {
      e.stopPropagation();
      runAction(c.action);
    });
  }
  return node;
}

function renderBox(c) {
  const layout = c.layout ?? "vertical";
  const box = el("div", {
    className: `flex-box ${layout}`,
    style: {
      background: c.backgroundColor,
      borderRadius: px(c.cornerRadius),
      border: c.borderWidth
        ? `${px(c.borderWidth, { none: 0, light: 0.5, normal: 1, medium: 2, "semi-bold": 3, bold: 4 })} solid ${c.borderColor ?? "#000"}`
        : undefined,
      padding: px(c.paddingAll),
      paddingTop: px(c.paddingTop),
      paddingBottom: px(c.paddingBottom),
      paddingLeft: px(c.paddingStart),
      paddingRight: px(c.paddingEnd),
      width: c.width,
      height: c.height,
      justifyContent: c.justifyContent,
      alignItems: c.alignItems,
      position: c.position === "absolute" ? "absolute" : "relative",
    },
  });
  const gap = SPACES[c.spacing] ?? 0;
  (c.contents ?? []).forEach((child, i) => {
    const node = renderComponent(child, layout);
    // LINE's spacing is a gap before every child but the first, unless the child has its own margin.
    if (i > 0 && gap && !child.margin) node.style[layout === "vertical" ? "marginTop" : "marginLeft"] = `${gap}px`;
    box.append(node);
  });
  return box;
}

function renderText(c) {
  const node = el(
    "div",
    {
      className: `flex-text${c.wrap ? " wrap" : ""}`,
      style: {
        fontSize: px(c.size ?? "md", TEXT_SIZES),
        fontWeight: c.weight === "bold" ? 700 : 400,
        color: c.color ?? "#111111",
        textAlign: { start: "left", end: "right", center: "center" }[c.align],
        alignSelf: { top: "flex-start", bottom: "flex-end", center: "center" }[c.gravity],
        fontStyle: c.style === "italic" ? "italic" : undefined,
        textDecoration: c.decoration === "line-through" ? "line-through" : c.decoration === "underline" ? "underline" : undefined,
        WebkitLineClamp: c.maxLines ? String(c.maxLines) : undefined,
      },
    },
    c.contents?.length ? c.contents.map((s) => renderComponent(s, "span")) : (c.text ?? ""),
  );
  return node;
}

function renderImage(c) {
  const size = IMAGE_SIZES[c.size ?? "md"] ?? c.size;
  const [w, h] = String(c.aspectRatio ?? "1:1")
    .split(":")
    .map(Number);
  return el("img", {
    className: "flex-image",
    src: c.url,
    alt: "",
    style: {
      width: typeof size === "number" ? `${size}px` : size,
      aspectRatio: w && h ? `${w} / ${h}` : undefined,
      objectFit: c.aspectMode === "fit" ? "contain" : "cover",
      alignSelf: { start: "flex-start", end: "flex-end" }[c.align] ?? "center",
      background: c.backgroundColor,
    },
  });
}

function renderTemplate(m) {
  const t = m.template ?? {};
  const actions = t.actions ?? [];
  return el(
    "div",
    { className: "flex-bubble", style: { width: "260px", padding: "14px", gap: "8px" } },
    t.title ? el("div", { style: { fontWeight: 700 } }, t.title) : null,
    el("div", { className: "flex-text wrap" }, t.text ?? m.altText),
    actions.map((a) => el("button", { type: "button", className: "flex-button link sm", onclick: () => runAction(a) }, a.label)),
  );
}

// --- rich menu --------------------------------------------------------------

function renderRichMenu() {
  const menu = state.richMenu;
  if (!menu) return;
  $("menu-toggle").textContent = menu.chatBarText ?? "เมนู";
  const { width, height } = menu.size;
  const pct = (v, total) => `${(v / total) * 100}%`;
  $("rich-menu").dataset.menu = menu.name ?? "";
  $("rich-menu").replaceChildren(
    el("img", { src: `${menu.image}${menu.image.includes("?") ? "&" : "?"}t=${Date.now()}`, alt: "ริชเมนู" }),
    ...menu.areas.map((area) =>
      el("button", {
        type: "button",
        className: "rm-area",
        "aria-label": area.action.label ?? area.action.displayText ?? area.action.type,
        title: area.action.label ?? "",
        style: {
          left: pct(area.bounds.x, width),
          top: pct(area.bounds.y, height),
          width: pct(area.bounds.width, width),
          height: pct(area.bounds.height, height),
        },
        onclick: () => runAction(area.action),
      }),
    ),
  );
}

// --- wiring -----------------------------------------------------------------

$("menu-toggle").addEventListener("click", () => {
  const open = $("rich-menu").hidden;
  $("rich-menu").hidden = !open;
  $("menu-toggle").setAttribute("aria-expanded", String(open));
});

$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("text-input").value;
  if (!text.trim()) return;
  $("text-input").value = "";
  send({ type: "text", text });
});

$("attach").addEventListener("click", () => ($("attach-menu").hidden = !$("attach-menu").hidden));
$("attach-menu").addEventListener("click", (e) => {
  const kind = e.target.closest("button")?.dataset.attach;
  $("attach-menu").hidden = true;
  if (kind === "location") openLocationPicker();
  if (kind === "image") $("image-input").click();
  if (kind === "sticker") send({ type: "sticker", packageId: "446", stickerId: "1988" });
});

$("image-input").addEventListener("change", async () => {
  const file = $("image-input").files?.[0];
  $("image-input").value = "";
  if (!file || !state.current) return;
  await fetch(`/simulator/api/image?userId=${encodeURIComponent(state.current)}`, {
    method: "POST",
    headers: { "content-type": file.type || "image/jpeg" },
    body: file,
  });
});

$("new-persona").addEventListener("submit", async (e) => {
  e.preventDefault();
  const displayName = $("new-persona-name").value.trim();
  if (!displayName) return;
  const persona = await post("/personas", { displayName });
  $("new-persona-name").value = "";
  state.personas.push(persona);
  await selectPersona(persona.userId);
});

/** The disaster buttons say what happened in their own words (the others: what they sent). */
const TIME_SAID = {
  flood: (n) =>
    n > 0
      ? `ประกาศแล้ว กำลังส่งข้อความถามความปลอดภัยถึงสมาชิก ${n} คน ดูในแชตของชาวบ้านและผู้ประสานอำเภอ`
      : "มีสถานการณ์น้ำท่วมอยู่แล้ว (หรือไม่มีสมาชิกให้ส่ง) ดูในแชตของผู้ประสานอำเภอ",
  later3h: (n) =>
    n > 0
      ? `ผ่านไป 3 ชั่วโมงแล้ว (${n} คนได้รับข้อความถามความปลอดภัย) ดูรายชื่อผู้ที่ยังไม่ตอบในแชตเลขาฯ และสรุปในแชตผู้ประสาน`
      : "ยังไม่มีสถานการณ์น้ำท่วม: แตะ “จำลองน้ำท่วม” ก่อน",
};

$("time-panel").addEventListener("click", async (e) => {
  const button = e.target.closest("button[data-time]");
  if (!button) return;
  const label = button.textContent;
  $("time-result").textContent = "กำลังทำ…";
  const result = await post(`/time/${button.dataset.time}`, {});
  const said = TIME_SAID[button.dataset.time];
  $("time-result").textContent = said
    ? `${label}: ${result.error ? "ไม่สำเร็จ" : said(result.queued)}`
    : result.queued > 0
      ? `${label}: ส่ง ${result.queued} รายการ ดูในแชตของผู้รับ`
      : result.error
        ? `${label}: ไม่สำเร็จ`
        : `${label}: ยังไม่มีรายการที่ต้องส่ง`;
});

function listen() {
  const events = new EventSource("/simulator/api/events");
  // Reconnected (a server restart): its menus and links are new.
  events.onopen = () => refreshRichMenu().catch(console.error);
  events.onmessage = (e) => {
    const update = JSON.parse(e.data);
    if (update.type === "entry") {
      const { entry } = update;
      const chat = state.chats.get(entry.userId);
      // By key, not seq: after a server restart seq starts again at 1.
      if (chat && !chat.some((x) => x.key === entry.key)) chat.push(entry);
      if (entry.from === "bot") state.loading.delete(entry.userId);
      if (entry.userId === state.current) renderChat();
      else if (entry.from === "bot") {
        state.unread.set(entry.userId, (state.unread.get(entry.userId) ?? 0) + 1);
        renderPersonas();
      }
    } else if (update.type === "loading") {
      state.loading.set(update.userId, Date.now() + update.seconds * 1000);
      if (update.userId === state.current) renderChat();
    } else if (update.type === "richmenu") {
      // The default changed (no userId), or this persona's own link.
      if (!update.userId || update.userId === state.current) refreshRichMenu().catch(console.error);
    }
  };
}

/** The menu LINE shows the current persona: staff see the staff menu linked to them. */
async function refreshRichMenu() {
  const userId = state.current;
  const menu = await api(userId ? `/richmenu?userId=${encodeURIComponent(userId)}` : "/richmenu");
  if (userId !== state.current) return;
  state.richMenu = menu;
  renderRichMenu();
}

async function start() {
  const s = await api("/state");
  state.richMenu = s.richMenu;
  renderRichMenu();
  state.personas = s.personas;
  state.villages = s.villages;
  const m = s.demoMember;
  $("demo-member").replaceChildren(
    el("b", {}, "ลองเชื่อมบัญชีกองทุน"),
    el("br"),
    `${m.name}: เลขบัตร `,
    el("code", {}, m.nationalId),
    ` วันเกิด `,
    el("code", {}, m.birthDateThai),
    el("br"),
    "สมาชิกกองทุนตำบลเมืองเหนืออื่น ๆ (สำหรับผู้ใช้ใหม่): ",
    ...s.spareMembers.flatMap((x) => [el("br"), el("code", {}, x.nationalId), " ", el("code", {}, x.birthDateThai)]),
  );
  listen();
  const saved = localStorage.getItem("simulator.persona");
  await selectPersona(state.personas.some((p) => p.userId === saved) ? saved : state.personas[0].userId);
}

start().catch((error) => {
  document.body.prepend(el("p", { className: "system" }, `โหลดไม่สำเร็จ: ${error}`));
});
