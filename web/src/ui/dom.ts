/**
 * A tiny element builder: the dashboard has no UI framework, and building DOM with properties (never
 * innerHTML from data) keeps entity names and server messages from ever being parsed as HTML.
 */

type Attrs = Record<string, string | number | boolean | undefined | ((ev: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

/** `h('button', {class: 'x', onclick: fn, 'aria-label': 'Close'}, 'Close')`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replace all children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let nextId = 0;
/** A unique id for label/for and aria-* pairs. */
export const uid = (prefix: string): string => `${prefix}-${++nextId}`;

/** A colour dot (set through CSSOM, not a style attribute, so a strict style-src CSP holds). */
export function swatch(colour: string): HTMLSpanElement {
  const el = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  el.style.background = colour;
  return el;
}

/** Announce to screen readers through the page's polite live region. */
export function announce(text: string): void {
  const region = document.getElementById('announcer');
  if (region !== null) region.textContent = text;
}
