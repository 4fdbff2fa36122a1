/**
 * Just enough XML to write SVG by hand: escaped text and attributes, elements, and the SVG
 * document with its viewBox, width and height. No dependency.
 */

/** Characters XML 1.0 does not allow at all (C0 controls but tab, newline, return; lone surrogates). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- the control characters XML 1.0 forbids are the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text or an attribute value, escaped; characters XML cannot hold become U+FFFD. */
export function escapeXml(value: string): string {
  return value
    .replace(NOT_XML, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export type Attributes = Readonly<Record<string, string | number | undefined>>;

/** Numbers in coordinates: at most two decimals, no trailing zeros. */
export function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function attributes(attrs: Attributes): string {
  let out = "";
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    out += ` ${name}="${escapeXml(typeof value === "number" ? num(value) : value)}"`;
  }
  return out;
}

/** `<name attrs>children</name>`, or `<name attrs/>` without children. Children are markup. */
export function element(name: string, attrs: Attributes = {}, ...children: string[]): string {
  return children.length === 0
    ? `<${name}${attributes(attrs)}/>`
    : `<${name}${attributes(attrs)}>${children.join("")}</${name}>`;
}

/** A text element: the content is escaped. */
export function text(attrs: Attributes, content: string): string {
  return element("text", attrs, escapeXml(content));
}

/** A `<title>` child: the tooltip browsers show. */
export function tooltip(content: string): string {
  return element("title", {}, escapeXml(content));
}

/** A whole SVG file: XML declaration, the root with viewBox, width and height, a title. */
export function svgDocument(
  width: number,
  height: number,
  title: string,
  body: readonly string[],
): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    tooltip(title),
    element("rect", { x: 0, y: 0, width: w, height: h, fill: "#ffffff" }),
    ...body,
    `</svg>`,
    ``,
  ].join("\n");
}
