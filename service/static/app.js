"use strict";
// The alliance-qa page script. The DOM is built with textContent and text nodes only, never by
// parsing strings as HTML, so neither a question nor the corpus can ever run as markup.
// Offsets from the API count Unicode code points (Python); JavaScript strings count UTF-16 units,
// so text is split with Array.from before slicing.

const SEPARATOR = " › ";

const $ = (selector) => document.querySelector(selector);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function slice(chars, start, end) {
  return chars.slice(start, end).join("");
}

function clamp(value, low, high) {
  return Math.min(Math.max(value, low), high);
}

function linesLabel(citation) {
  return citation.line_start === citation.line_end
    ? `line ${citation.line_start}`
    : `lines ${citation.line_start}–${citation.line_end}`;
}

function citationLabel(citation) {
  return `${citation.section.join(SEPARATOR)} · ${linesLabel(citation)}`;
}

function citationHref(citation) {
  const where = new URLSearchParams({ start: citation.start, end: citation.end });
  return `/documents/${encodeURIComponent(citation.doc_id)}?${where}#L${citation.line_start}-L${citation.line_end}`;
}

async function problemMessage(response) {
  try {
    const problem = await response.json();
    if (problem && problem.detail) return `${problem.title || "Error"}: ${problem.detail}`;
  } catch (_) {
    // not JSON: fall through to the status line
  }
  // over HTTP/2 (a proxy in front) there is no status text: "answered 502 ." read as a typo
  const status = response.statusText ? `${response.status} ${response.statusText}` : response.status;
  return `The service answered ${status}. Try again in a moment.`;
}

function showError(message) {
  const box = $("#error");
  box.replaceChildren(el("p", { text: message }));
  box.hidden = false;
}

function hideError() {
  const box = $("#error");
  box.hidden = true;
  box.replaceChildren();
}

function setStatus(message) {
  $("#status").textContent = message;
}

// "1 passage", "2 passages", "1,024 bytes": the noun agrees with the count
function counted(count, noun) {
  return `${count.toLocaleString("en")} ${noun}${count === 1 ? "" : "s"}`;
}

// ---- the question page ------------------------------------------------------------------------

function markedText(text, from, highlight) {
  // `from` is the document offset where `text` starts; `highlight` holds document offsets
  const paragraph = el("p", { class: "passage-text" });
  const chars = Array.from(text);
  if (!highlight) {
    paragraph.textContent = text;
    return paragraph;
  }
  const a = clamp(highlight.start - from, 0, chars.length);
  const b = clamp(highlight.end - from, a, chars.length);
  if (a === b) {
    paragraph.textContent = text;
    return paragraph;
  }
  paragraph.append(slice(chars, 0, a), el("mark", { text: slice(chars, a, b) }), slice(chars, b));
  return paragraph;
}

function renderScores(passage) {
  const parts = [`score ${passage.score.toFixed(3)}`];
  if (passage.scores.dense !== null && passage.scores.dense !== undefined) {
    parts.push(`meaning ${passage.scores.dense.toFixed(3)}`);
  }
  if (passage.scores.lexical !== null && passage.scores.lexical !== undefined) {
    parts.push(`words ${passage.scores.lexical.toFixed(3)}`);
  }
  return el("span", { class: "scores", text: parts.join(" · ") });
}

function renderPassage(passage) {
  const link = el("a", { class: "cite", href: citationHref(passage.citation), text: citationLabel(passage.citation) });
  return el(
    "li",
    { class: "passage" },
    el(
      "article",
      { "aria-label": `Passage ${passage.rank}` },
      el("header", {}, link, renderScores(passage)),
      markedText(passage.text, passage.citation.start, passage.highlight),
    ),
  );
}

function renderAnswer(result) {
  const section = $("#answer");
  const body = $("#answer-body");
  if (result.answerable && result.answer) {
    const cite = result.answer.citation;
    // the answer came from passages in another language than the question's (a refusal says so itself)
    const note = result.language_note
      ? [el("p", { class: "language-note", text: `Note: ${result.language_note[0].toUpperCase()}${result.language_note.slice(1)}.` })]
      : [];
    body.replaceChildren(
      el("blockquote", { class: "answer-text" }, el("p", { text: result.answer.text })),
      el("p", { class: "answer-cite" }, "— ", el("a", { href: citationHref(cite), text: citationLabel(cite) })),
      ...note,
    );
    section.classList.remove("unanswered");
  } else {
    const closest = result.passages.length ? " The closest passages are listed below, for transparency." : "";
    const why = result.refusal ? `: ${result.refusal}` : "";
    body.replaceChildren(
      el("p", { class: "unanswerable", text: `The corpus does not answer this question${why}.${closest}` }),
    );
    section.classList.add("unanswered");
  }
  section.hidden = false;
}

function renderResult(result) {
  renderAnswer(result);
  const list = $("#passages");
  list.replaceChildren(...result.passages.map(renderPassage));
  $("#results").hidden = result.passages.length === 0;
  const count = counted(result.passages.length, "passage");
  const total = result.timings_ms && result.timings_ms.total;
  // the status is what a screen reader announces: whether the texts answer comes first, then why
  // not, as "5 passages in 12 ms" alone said the same for an answer and a refusal
  const why = result.refusal ? `: ${result.refusal}` : "";
  const outcome = result.answerable && result.answer ? "Answered" : `Not answered${why}`;
  setStatus(`${outcome} · ${total === undefined ? count : `${count} in ${Math.round(total)} ms`}`);
}

// The server's limit on a question counts characters as Python does: code points, once trimmed.
// The box's maxlength counted UTF-16 units, and cut a question of 600 emoji or CJK extension
// characters to 500 that the server would take. `/` writes the served limit into data-max-chars.
function questionTooLong(question, limit) {
  const length = Array.from(question).length;
  // the server's words (service/routes/ask.py), so the page says what the API would
  return length > limit ? `question is ${length} characters long; the limit is ${limit}: shorten it` : null;
}

// While the next question is searched, the last one's answer and passages are marked busy, and
// leave the view after a moment (style.css): with a slow server they read as the new question's.
function showSearching(searching) {
  for (const section of [$("#ask-form"), $("#answer"), $("#results")]) {
    if (searching) section.setAttribute("aria-busy", "true");
    else section.removeAttribute("aria-busy");
  }
}

function clearResult() {
  $("#answer").hidden = true;
  $("#results").hidden = true;
  $("#passages").replaceChildren();
}

// An example question for a document this page knows, by the SHA-256 of its text (the bundled
// essay it asks about); any other index gets a placeholder naming its own documents.
const EXAMPLES = {
  "3262af0ce63cb31639ecc57d03a640422a229dabfa45d3a99445025a5c8ade30":
    "What is the name of the joint exercise between Japan and India?",
};
const NAMED_TITLES = 3;
const ASK_TIMEOUT_MS = 30000;  // a question takes milliseconds; the first after a start, seconds

function quoted(title) {
  return `“${title}”`;
}

function listed(items) {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

// "Ask “A” and “B”.", or for a larger index "Ask 294 documents, among them “A”, “B” and “C”."
function describeDocuments(docs) {
  const titles = docs.map((d) => quoted(d.title));
  if (titles.length <= NAMED_TITLES) return `Ask ${listed(titles)}.`;
  return `Ask ${docs.length.toLocaleString("en")} documents, among them ${listed(titles.slice(0, NAMED_TITLES))}.`;
}

// One document to search in, or all (""): an option for each document, keeping the choice made
// (from the URL, perhaps before the list arrived).
function fillDocumentChoice(select, docs) {
  const chosen = select.value;
  // titles several documents share ("README", "Notes") are told apart by their ids
  const shared = new Set(docs.map((d) => d.title).filter((title, i, all) => all.indexOf(title) !== i));
  const label = (d) => (shared.has(d.title) ? `${d.title} (${d.doc_id})` : d.title);
  const options = docs.map((d) => el("option", { value: d.doc_id, text: label(d) }));
  select.replaceChildren(el("option", { value: "", text: "all documents" }), ...options);
  chooseDocument(select, chosen);  // an id the list lacks stays, by its id: the API will say it is unknown
  $("#doc-filter").hidden = docs.length < 2 && !chosen;  // a choice made stays in view, to be undone
}

// Choose the document `docId` ("" for all), adding an option named by its id if the list has none.
function chooseDocument(select, docId) {
  if (docId && ![...select.options].some((o) => o.value === docId)) {
    select.append(el("option", { value: docId, text: docId }));
    $("#doc-filter").hidden = false;
  }
  select.value = docId;
}

// The page names what the served index holds: the bundled essays, or documents of one's own.
async function describeIndex(input, select) {
  let docs;
  try {
    const response = await fetch("/v1/documents", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    docs = await response.json();
  } catch {
    return;  // the page still asks; it only says less about what
  }
  if (!Array.isArray(docs) || docs.length === 0) return;
  $("#tagline").textContent = `${describeDocuments(docs)} Every passage cites its exact lines.`;
  fillDocumentChoice(select, docs);
  const example = docs.map((d) => EXAMPLES[d.sha256]).find(Boolean);
  input.placeholder = example || (docs.length === 1 ? `A question about ${quoted(docs[0].title)}` : "A question about these documents");
}

function initAskPage() {
  const form = $("#ask-form");
  const input = $("#question");
  const mode = $("#mode");
  const k = $("#k");
  const doc = $("#doc");
  let inFlight = null;
  let asked = location.search;  // the query string the page answers
  describeIndex(input, doc);

  // the URL leaves out the defaults, the options the page opens with
  const defaultMode = [...mode.options].find((o) => o.defaultSelected).value;
  const defaultK = k.defaultValue;

  function readLocation() {
    const params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    // an option the URL leaves out is its default, not what the page last asked with: Forward to
    // "/?q=…" from "/?q=…&mode=lexical&k=3" asked with "words" and 3 passages
    const wanted = params.get("mode");
    mode.value = wanted && [...mode.options].some((o) => o.value === wanted) ? wanted : defaultMode;
    k.value = params.get("k") || defaultK;
    chooseDocument(doc, params.get("doc") || "");  // named by its title once the list arrives
    return input.value.trim();
  }

  // stop waiting for the answer in flight, if any: its question is no longer the page's
  function cancel() {
    if (!inFlight) return;
    inFlight.abort();
    inFlight = null;
    showSearching(false);
  }

  async function ask(question) {
    cancel();
    const controller = new AbortController();
    inFlight = controller;
    // a server that never answers (hung, or a proxy holding the request) left "Searching…" for good
    const waitMs = window.askTimeoutMs ?? ASK_TIMEOUT_MS;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, waitMs);
    hideError();
    setStatus("Searching…");
    showSearching(true);
    const body = { question, mode: mode.value };
    if (k.value !== "") body.k = Number(k.value);
    if (doc.value) body.doc_ids = [doc.value];
    try {
      const response = await fetch("/v1/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (!response.ok) {
        clearResult();
        setStatus("");
        showError(await problemMessage(response));
        return;
      }
      renderResult(await response.json());
    } catch (error) {
      if (error.name === "AbortError" && !timedOut) return;
      clearResult();
      setStatus("");
      showError(
        timedOut
          ? `The service did not answer within ${Math.max(1, Math.round(waitMs / 1000))} s. It may be busy or stuck: try again, or check that it is running.`
          : `The service could not be reached (${error.message}). Check that it is running, then try again.`
      );
    } finally {
      clearTimeout(timer);
      if (inFlight === controller) {
        inFlight = null;
        showSearching(false);
      }
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    // a question refused here marks the box itself invalid, for screen readers, until it is asked
    input.removeAttribute("aria-invalid");
    if (!question) {
      showError("Type a question first.");
      input.focus();
      return;
    }
    const tooLong = questionTooLong(question, Number(input.dataset.maxChars));
    if (tooLong) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "error");
      showError(`Invalid input: ${tooLong}`);
      input.focus();
      return;
    }
    const params = new URLSearchParams({ q: question });
    if (mode.value !== defaultMode) params.set("mode", mode.value);
    if (k.value !== "" && k.value !== defaultK) params.set("k", k.value);
    if (doc.value) params.set("doc", doc.value);
    // the URL holds the question, so results can be shared, reloaded and reached with Back; asking
    // the same again (after an error, say) adds no entry that Back would only step through
    if (location.search === `?${params}`) history.replaceState(null, "", `/?${params}`);
    else history.pushState(null, "", `/?${params}`);
    asked = location.search;
    ask(question);
  });

  window.addEventListener("popstate", () => {
    // following the skip link (#results), or Back over it, changes the fragment only: the question
    // is the same, and asking it again would replace the results the reader just moved focus to
    if (location.search === asked) return;
    asked = location.search;
    const question = readLocation();
    if (question) ask(question);
    else {
      cancel();  // an answer arriving after Back to the empty page would show under no question
      clearResult();
      hideError();
      setStatus("");
    }
  });

  const question = readLocation();
  if (question) ask(question);
  // Asking is what this page is for: the question box has focus, so one can type at once. Not
  // when the URL asks (the reader came for the results: from the top, Tab reaches the skip link
  // to them), and not if the reader moved focus before the script ran.
  else if (document.activeElement === document.body) input.focus();
}

// ---- the document page ------------------------------------------------------------------------

function parseLineRange(hash) {
  const match = /^#L(\d+)(?:-L(\d+))?$/.exec(hash);
  if (!match) return null;
  const from = Number(match[1]);
  return { from, to: match[2] ? Math.max(Number(match[2]), from) : from };
}

function intParam(params, name) {
  const value = params.get(name);
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

function renderLine(chars, number, lineStart, lineEnd, span) {
  const text = el("span", { class: "tx" });
  const row = el("div", { class: "line", id: `L${number}` }, el("span", { class: "ln", "aria-hidden": "true", text: String(number) }), text);
  const a = span ? Math.max(lineStart, span.start) : 0;
  const b = span ? Math.min(lineEnd, span.end) : 0;
  if (span && a < b) {
    text.append(slice(chars, lineStart, a), el("mark", { text: slice(chars, a, b) }), slice(chars, b, lineEnd));
    row.classList.add("in-span");
  } else {
    text.textContent = slice(chars, lineStart, lineEnd);
  }
  return row;
}

function renderDocumentText(text, span) {
  const chars = Array.from(text);
  const rows = [];
  let number = 1;
  let lineStart = 0;
  for (let i = 0; i <= chars.length; i += 1) {
    // a line ends at \r\n, \r or \n, as the citations' line numbers count them (ingest/chunking.py)
    if (i === chars.length || chars[i] === "\n" || chars[i] === "\r") {
      // a final newline ends the last line; it does not open an empty one
      if (!(i === chars.length && lineStart === i && number > 1)) {
        rows.push(renderLine(chars, number, lineStart, i, span));
      }
      number += 1;
      if (chars[i] === "\r" && chars[i + 1] === "\n") i += 1;
      lineStart = i + 1;
    }
  }
  $("#doc-text").replaceChildren(...rows);
}

function markLineRange(range) {
  for (const row of document.querySelectorAll(".line.in-range")) row.classList.remove("in-range");
  if (!range) return null;
  let first = null;
  for (let n = range.from; n <= range.to; n += 1) {
    const row = document.getElementById(`L${n}`);
    if (!row) break;
    row.classList.add("in-range");
    first = first || row;
  }
  return first;
}

function reveal(target) {
  if (!target) return;
  target.setAttribute("tabindex", "-1");
  target.scrollIntoView({ block: "center" });
  // focus follows, so keyboard and screen-reader users start reading at the citation
  target.focus({ preventScroll: true });
}

// the document page's heading when it cannot show the document: a 401 is no missing document
const DOCUMENT_FAILURES = { 401: "Not authorised", 403: "Not authorised", 404: "Document not found", 503: "Service not ready" };

async function initDocumentPage() {
  const docId = decodeURIComponent(location.pathname.replace(/^\/documents\//, ""));
  const params = new URLSearchParams(location.search);
  const start = intParam(params, "start");
  const end = intParam(params, "end");
  const span = start !== null && end !== null && end > start ? { start, end } : null;

  if (document.referrer) {
    const from = new URL(document.referrer);
    if (from.origin === location.origin && from.pathname === "/") $("#back").href = from.pathname + from.search;
  }

  let response;
  try {
    response = await fetch(`/v1/documents/${encodeURIComponent(docId)}`, { headers: { Accept: "application/json" } });
  } catch (error) {
    setStatus("");
    showError(`The service could not be reached (${error.message}). Check that it is running, then reload.`);
    return;
  }
  if (!response.ok) {
    setStatus("");
    $("#doc-title").textContent = DOCUMENT_FAILURES[response.status] || "Document unavailable";
    showError(await problemMessage(response));
    return;
  }
  const doc = await response.json();
  document.title = `${doc.title} · alliance-qa`;
  $("#doc-title").textContent = doc.title;
  const meta = $("#doc-meta");
  meta.replaceChildren(
    `${doc.doc_id} · ${counted(doc.size, "byte")} · ${counted(doc.chunks, "passage")} · SHA-256 `,
    el("code", { title: doc.sha256, text: `${doc.sha256.slice(0, 12)}…` }),
  );
  renderDocumentText(doc.text, span);

  const range = parseLineRange(location.hash);
  const firstLine = markLineRange(range);
  const firstMark = document.querySelector("#doc-text mark");
  if (range || firstMark) {
    const cited = $("#cited");
    const lines = range ? (range.from === range.to ? `line ${range.from}` : `lines ${range.from}–${range.to}`) : "the span";
    const jump = el("button", { type: "button", class: "link", text: "Show it" });
    jump.addEventListener("click", () => reveal(document.querySelector("#doc-text mark") || firstLine));
    cited.replaceChildren(`The citation points at ${lines}, highlighted below. `, jump);
    cited.hidden = false;
  }
  setStatus("");
  reveal(firstMark || firstLine);

  window.addEventListener("hashchange", () => reveal(markLineRange(parseLineRange(location.hash))));
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.body.dataset.page === "ask") initAskPage();
  else if (document.body.dataset.page === "document") initDocumentPage();
});
