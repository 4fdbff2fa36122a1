/**
 * A tiny, strict XML well-formedness checker and tree builder for the SVG tests (no XML parser is
 * among the dependencies). It accepts the XML declaration, comments, elements, attributes, text
 * and character or predefined entity references, and rejects what a browser's XML parser would:
 * unclosed or mismatched tags, unquoted or duplicate attributes, `<` in an attribute value, a bare
 * `&`, unknown entities, characters XML 1.0 forbids, text outside the root, more than one root.
 * DOCTYPE, CDATA and processing instructions other than the declaration are rejected (the SVG
 * writer uses none).
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text, entities decoded. */
  readonly text: string;
}

export class XmlError extends Error {
  override readonly name = "XmlError";
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
// eslint-disable-next-line no-control-regex -- the control characters XML 1.0 forbids are the point
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(raw: string, where: () => string): string {
  if (FORBIDDEN_CHAR.test(raw)) throw new XmlError(`character not allowed in XML ${where()}`);
  return raw.replace(/&([^;&\s]*);?/g, (match, body: string) => {
    if (!match.endsWith(";")) throw new XmlError(`bare & ${where()}`);
    if (body in PREDEFINED) return PREDEFINED[body]!;
    const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
    if (numeric === null) throw new XmlError(`unknown entity &${body}; ${where()}`);
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
    if (
      code > 0x10ffff ||
      FORBIDDEN_CHAR.test(String.fromCodePoint(code)) ||
      (code >= 0xd800 && code <= 0xdfff)
    )
      throw new XmlError(`entity &${body}; is not an XML character ${where()}`);
    return String.fromCodePoint(code);
  });
}

/** Parses `source`; throws XmlError with the offset when it is not well-formed. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const at = () => `at offset ${i}`;
  const fail = (message: string): never => {
    throw new XmlError(`${message} ${at()}`);
  };
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith("<!--", i)) {
        const end = source.indexOf("-->", i + 4);
        if (end < 0) fail("unterminated comment");
        if (source.slice(i + 4, end).includes("--")) fail("-- inside a comment");
        i = end + 3;
      } else return;
    }
  };

  if (source.startsWith("<?xml", 0)) {
    const end = source.indexOf("?>");
    if (end < 0) fail("unterminated XML declaration");
    if (
      !/^<\?xml\s+version="1\.[0-9]"(\s+encoding="[A-Za-z][A-Za-z0-9._-]*")?(\s+standalone="(yes|no)")?\s*\?>$/.test(
        source.slice(0, end + 2),
      )
    )
      fail("malformed XML declaration");
    i = end + 2;
  }
  skipMisc();
  if (source[i] !== "<") fail("expected the root element");

  interface Open {
    name: string;
    attributes: Record<string, string>;
    children: XmlElement[];
    text: string;
  }
  const stack: Open[] = [];
  let root: XmlElement | undefined;

  const close = (element: Open) => {
    const done: XmlElement = {
      name: element.name,
      attributes: element.attributes,
      children: element.children,
      text: element.text,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(done);
    else root = done;
  };

  while (i < source.length) {
    if (stack.length === 0 && root !== undefined) {
      skipMisc();
      if (i < source.length) fail("content after the root element");
      break;
    }
    if (source.startsWith("<!--", i)) {
      const end = source.indexOf("-->", i + 4);
      if (end < 0) fail("unterminated comment");
      if (source.slice(i + 4, end).includes("--")) fail("-- inside a comment");
      i = end + 3;
    } else if (source.startsWith("</", i)) {
      i += 2;
      const name = NAME.exec(source.slice(i))?.[0] ?? fail("expected a closing tag name");
      i += name.length;
      skipSpace();
      if (source[i] !== ">") fail(`expected > after </${name}`);
      i++;
      const open = stack.pop() ?? fail(`</${name}> closes nothing`);
      if (open.name !== name) fail(`</${name}> closes <${open.name}>`);
      close(open);
    } else if (source.startsWith("<!", i) || source.startsWith("<?", i)) {
      fail("DOCTYPE, CDATA and processing instructions are not expected");
    } else if (source[i] === "<") {
      i++;
      const name = NAME.exec(source.slice(i))?.[0] ?? fail("expected a tag name");
      i += name.length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const before = i;
        skipSpace();
        if (source.startsWith("/>", i)) {
          i += 2;
          close({ name, attributes, children: [], text: "" });
          break;
        }
        if (source[i] === ">") {
          i++;
          stack.push({ name, attributes, children: [], text: "" });
          break;
        }
        if (i === before) fail(`expected whitespace before an attribute of <${name}>`);
        const attr =
          NAME.exec(source.slice(i))?.[0] ?? fail(`expected an attribute name in <${name}>`);
        i += attr.length;
        skipSpace();
        if (source[i] !== "=") fail(`expected = after ${attr}`);
        i++;
        skipSpace();
        const quote = source[i];
        if (quote !== '"' && quote !== "'") fail(`attribute ${attr} is not quoted`);
        const end = source.indexOf(quote!, i + 1);
        if (end < 0) fail(`unterminated value of ${attr}`);
        const raw = source.slice(i + 1, end);
        if (raw.includes("<")) fail(`< in the value of ${attr}`);
        if (attr in attributes) fail(`duplicate attribute ${attr} in <${name}>`);
        attributes[attr] = decode(raw, at);
        i = end + 1;
      }
    } else {
      const end = source.indexOf("<", i);
      const raw = source.slice(i, end < 0 ? source.length : end);
      if (raw.includes("]]>")) fail("]]> in text");
      const decoded = decode(raw, at);
      const open = stack[stack.length - 1];
      if (open === undefined) {
        if (decoded.trim() !== "") fail("text outside the root element");
      } else open.text += decoded;
      i += raw.length;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is never closed`);
  return root ?? fail("no root element");
}

/** Every element below `root` (itself included) that `match` accepts, in document order. */
export function findAll(root: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (match(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** The class attribute's words. */
export function classesOf(e: XmlElement): string[] {
  return (e.attributes.class ?? "").split(/\s+/).filter(Boolean);
}
