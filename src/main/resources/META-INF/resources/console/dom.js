// Tiny DOM builder. Text goes in through textContent only: model output is never parsed as HTML.

/**
 * el('div', {class: 'x', 'aria-label': 'y', onclick: fn}, 'text', childNode, ...)
 * Strings become text nodes; null/undefined/false children are skipped.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = String(v);
    else if (k in node && typeof v === 'boolean') node[k] = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

/** Appends text to a node's last text node (cheap for streaming), creating it if needed. */
export function appendText(node, text) {
  if (!text) return;
  const last = node.lastChild;
  if (last && last.nodeType === Node.TEXT_NODE) last.appendData(text);
  else node.append(document.createTextNode(text));
}

export function formatJson(text) {
  if (typeof text !== 'string') return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text; // not (yet) valid JSON: show as is
  }
}

export function formatMs(ms) {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}
