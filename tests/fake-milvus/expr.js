// The boolean filter subset of the Milvus expression language that iterators and users need:
// comparisons (== != < <= > >=, chained), in / not in, and / or / && / || / not / !, parentheses,
// integer and float literals (Int64 exact via BigInt), "..." and '...' strings with backslash escapes,
// true/false, + - * / % arithmetic, like, is null / is not null, JSON paths j["k"] and dynamic keys.
// parse() builds an AST; compile() type-checks it against the collection and returns a predicate over
// row ids plus the primary-key range the store can seek to. With ctx.v23 the dialect and errors are
// Milvus 2.3.5's: lowercase and/or/not/in only, integer literals beyond int64 refused, no float literal
// against an integer field, arithmetic only under == and !=, like only as prefix or exact match, no bare
// boolean predicates, and its messages (code 65535).
'use strict';

const { DataType } = require('./proto');
const { fail } = require('./errors');
const { compareStrings } = require('./store');

const INT_TYPES = new Set([DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64]);
const FLOAT_TYPES = new Set([DataType.Float, DataType.Double]);
const STRING_TYPES = new Set([DataType.VarChar, DataType.Text]);
const INT64_MAX = 9223372036854775807n;
const TYPE_NAME = Object.fromEntries(Object.entries(DataType).map(([k, v]) => [v, k]));

class ExprError extends Error {}

// ---- lexer ----

const PUNCT = ['&&', '||', '==', '!=', '<=', '>=', '**', '<', '>', '(', ')', '[', ']', ',', '+', '-', '*', '/', '%', '!'];
const ESCAPES = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', '\\': '\\', '"': '"', "'": "'", '/': '/' };

function lex(src, v23) {
	const toks = [];
	let i = 0;
	while (i < src.length) {
		const c = src[i];
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		if (c === '"' || c === "'") {
			let s = '';
			i++;
			for (;;) {
				if (i >= src.length)
					throw new ExprError('unterminated string literal');
				const d = src[i++];
				if (d === c)
					break;
				if (d !== '\\') {
					s += d;
					continue;
				}
				const e = src[i++];
				if (e === 'u' || e === 'x') {
					const len = e === 'u' ? 4 : 2;
					const hex = src.substr(i, len);
					if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex))
						throw new ExprError(`invalid escape \\${e}${hex}`);
					s += String.fromCharCode(parseInt(hex, 16));
					i += len;
				} else if (e in ESCAPES) {
					s += ESCAPES[e];
				} else {
					throw new ExprError(`invalid escape \\${e}`);
				}
			}
			toks.push({ t: 'str', v: s });
			continue;
		}
		const num = /^(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|0[xX][0-9a-fA-F]+|\d+)/.exec(src.slice(i));
		if (num) {
			const text = num[0];
			if (/^(\d+|0[xX][0-9a-fA-F]+)$/.test(text)) {
				if (v23 && BigInt(text) > INT64_MAX)	// the grammar's strconv.ParseInt, before any minus sign
					throw new ExprError(`strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`);
				toks.push({ t: 'num', v: BigInt(text), text });
			} else {
				toks.push({ t: 'num', v: Number(text), text });
			}
			i += text.length;
			continue;
		}
		const id = /^(?:\$meta|[A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i));
		if (id) {
			toks.push({ t: 'id', v: id[0] });
			i += id[0].length;
			continue;
		}
		const p = PUNCT.find((q) => src.startsWith(q, i));
		if (!p)
			throw new ExprError(`unexpected character '${c}' at offset ${i}`);
		toks.push({ t: 'op', v: p });
		i += p.length;
	}
	toks.push({ t: 'end' });
	return toks;
}

// ---- parser ----

const KEYWORDS = { and: 'and', or: 'or', not: 'not', in: 'in', like: 'like', is: 'is', null: 'null', true: 'true', false: 'false' };

// Keywords that 2.3's grammar knows in lowercase only (AND, OR, NOT, IN are identifiers there).
const LOWER_ONLY_23 = new Set(['and', 'or', 'not', 'in']);

function keywordOf(tok, v23) {
	if (tok.t !== 'id')
		return null;
	const k = tok.v.toLowerCase();
	if (!(k in KEYWORDS))
		return null;
	if (v23 && LOWER_ONLY_23.has(k))
		return tok.v === k ? k : null;
	if (v23 && k === 'like')
		return tok.v === k || tok.v === 'LIKE' ? k : null;
	// Milvus accepts and/AND, or/OR, not/NOT, in/IN, like/LIKE, true/True/TRUE.
	if (tok.v === k || tok.v === k.toUpperCase() || tok.v === k[0].toUpperCase() + k.slice(1))
		return k;
	return null;
}

function parse(src, v23) {
	const toks = lex(src, v23);
	const keyword = (tok) => keywordOf(tok, v23);
	let pos = 0;
	const peek = () => toks[pos];
	const next = () => toks[pos++];
	const isOp = (v) => peek().t === 'op' && peek().v === v;
	const isKw = (k) => keyword(peek()) === k;
	const expect = (v) => {
		if (!isOp(v))
			throw new ExprError(`expected '${v}'`);
		next();
	};

	// operands of `operand` joined left to right by the keyword kind or its operator symbol
	function chain(kind, symbol, operand) {
		let a = operand();
		while (isKw(kind) || isOp(symbol)) {
			next();
			a = { k: kind, a, b: operand() };
		}
		return a;
	}
	function orExpr() {
		return chain('or', '||', andExpr);
	}
	function andExpr() {
		return chain('and', '&&', notExpr);
	}
	function notExpr() {
		if (isOp('!') || (isKw('not') && keyword(toks[pos + 1]) !== 'in')) {
			next();
			return { k: 'not', a: notExpr() };
		}
		return predicate();
	}
	const CMP = ['==', '!=', '<', '<=', '>', '>='];
	function predicate() {
		const a = additive();
		if (isKw('not') && keyword(toks[pos + 1]) === 'in') {
			next();
			next();
			return { k: 'in', neg: true, a, list: listLit() };
		}
		if (isKw('in')) {
			next();
			return { k: 'in', neg: false, a, list: listLit() };
		}
		if (isKw('like')) {
			next();
			const t = next();
			if (t.t !== 'str')
				throw new ExprError('like needs a string pattern');
			return { k: 'like', a, pattern: t.v };
		}
		if (isKw('is')) {
			next();
			let neg = false;
			if (isKw('not')) {
				next();
				neg = true;
			}
			if (!isKw('null'))
				throw new ExprError("expected 'null' after 'is'");
			next();
			return { k: 'isnull', neg, a };
		}
		if (peek().t === 'op' && CMP.includes(peek().v)) {
			let left = a;
			let node = null;
			while (peek().t === 'op' && CMP.includes(peek().v)) {
				const op = next().v;
				const right = additive();
				const cmp = { k: 'cmp', op, a: left, b: right };
				node = node ? { k: 'and', a: node, b: cmp } : cmp;
				left = right;
			}
			return node;
		}
		return { k: 'truthy', a };
	}
	function additive() {
		let a = multiplicative();
		while (isOp('+') || isOp('-')) {
			const op = next().v;
			a = { k: 'arith', op, a, b: multiplicative() };
		}
		return a;
	}
	function multiplicative() {
		let a = unary();
		while (isOp('*') || isOp('/') || isOp('%')) {
			const op = next().v;
			a = { k: 'arith', op, a, b: unary() };
		}
		return a;
	}
	function unary() {
		if (isOp('-')) {
			next();
			const a = unary();
			if (a.k === 'lit' && (typeof a.v === 'bigint' || typeof a.v === 'number'))
				return { k: 'lit', v: -a.v, text: '-' + a.text };
			if (v23)
				throw new ExprError('unexpected op: -');
			return { k: 'arith', op: '-', a: { k: 'lit', v: 0n }, b: a };
		}
		if (isOp('+')) {
			next();
			return unary();
		}
		return primary();
	}
	function primary() {
		const t = peek();
		if (isOp('(')) {
			next();
			const e = orExpr();
			expect(')');
			return e;
		}
		if (t.t === 'num' || t.t === 'str') {
			next();
			return { k: 'lit', v: t.v, text: t.t === 'num' ? t.text : JSON.stringify(t.v) };
		}
		const kw = keyword(t);
		if (kw === 'true' || kw === 'false') {
			next();
			return { k: 'lit', v: kw === 'true' };
		}
		if (t.t === 'id' && !kw) {
			next();
			const path = [];
			while (isOp('[')) {
				next();
				const key = next();
				if (key.t !== 'str' && key.t !== 'num')
					throw new ExprError('expected a string or number inside []');
				path.push(key.t === 'num' ? Number(key.v) : key.v);
				expect(']');
			}
			return { k: 'ident', name: t.v, path };
		}
		throw new ExprError(`unexpected token ${t.t === 'end' ? 'end of expression' : `'${t.v}'`}`);
	}
	function listLit() {
		expect('[');
		const items = [], texts = [];
		while (!isOp(']')) {
			const e = unary();
			if (e.k !== 'lit')
				throw new ExprError('the values of in [] must be literals');
			items.push(e.v);
			texts.push(e.text);
			if (isOp(','))
				next();
			else if (!isOp(']'))
				throw new ExprError("expected ',' or ']'");
		}
		next();
		items.texts = texts;
		return items;
	}

	const ast = orExpr();
	if (peek().t !== 'end')
		throw new ExprError(`unexpected token '${peek().v}'`);
	return ast;
}

// ---- typing and evaluation ----

// Static kinds: int, float, string, bool, json (dynamic), other (arrays, vectors: not comparable).
function kindOfType(type) {
	if (INT_TYPES.has(type))
		return 'int';
	if (FLOAT_TYPES.has(type))
		return 'float';
	if (STRING_TYPES.has(type))
		return 'string';
	if (type === DataType.Bool)
		return 'bool';
	if (type === DataType.JSON)
		return 'json';
	return 'other';
}

function kindOfLit(v) {
	if (typeof v === 'bigint')
		return 'int';
	if (typeof v === 'number')
		return 'float';
	if (typeof v === 'string')
		return 'string';
	return 'bool';
}

function numeric(k) {
	return k === 'int' || k === 'float';
}

function comparable(x, y) {
	if (x === 'json' || y === 'json')
		return true;
	return (numeric(x) && numeric(y)) || x === y;
}

// Three-way comparison of runtime values; undefined when they cannot be compared.
function compareValues(x, y) {
	const tx = typeof x, ty = typeof y;
	if (tx === 'bigint' && ty === 'bigint')
		return x < y ? -1 : x > y ? 1 : 0;
	if ((tx === 'bigint' || tx === 'number') && (ty === 'bigint' || ty === 'number')) {
		if (tx === 'bigint' && Number.isInteger(y))
			y = BigInt(y);
		else if (ty === 'bigint' && Number.isInteger(x))
			x = BigInt(x);
		else {
			x = Number(x);
			y = Number(y);
		}
		return x < y ? -1 : x > y ? 1 : 0;
	}
	if (tx === 'string' && ty === 'string')
		return compareStrings(x, y);
	if (tx === 'boolean' && ty === 'boolean')
		return x === y ? 0 : x ? 1 : -1;
	return undefined;
}

const CMP_FN = {
	'==': (c) => c === 0, '!=': (c) => c !== 0, '<': (c) => c < 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '>=': (c) => c >= 0,
};
const FLIP = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function arith(op, x, y) {
	if (x === null || y === null || x === undefined || y === undefined)
		return null;
	if (typeof x === 'bigint' && typeof y === 'number' && Number.isInteger(y))
		y = BigInt(y);
	if (typeof y === 'bigint' && typeof x === 'number' && Number.isInteger(x))
		x = BigInt(x);
	if (typeof x === 'bigint' && typeof y === 'bigint') {
		if ((op === '/' || op === '%') && y === 0n)
			return null;
		switch (op) {
		case '+': return x + y;
		case '-': return x - y;
		case '*': return x * y;
		case '/': return x / y;
		default: return x % y;
		}
	}
	x = Number(x);
	y = Number(y);
	switch (op) {
	case '+': return x + y;
	case '-': return x - y;
	case '*': return x * y;
	case '/': return x / y;
	default: return x % y;
	}
}

function jsonValue(v) {
	// JSON numbers that are integers compare like Int64 literals.
	if (typeof v === 'number' && Number.isInteger(v))
		return BigInt(v);
	return v;
}

function likeRegex(pattern) {
	let re = '^';
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '\\' && i + 1 < pattern.length)
			re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		else if (c === '%')
			re += '[\\s\\S]*';
		else if (c === '_')
			re += '[\\s\\S]';
		else
			re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	}
	return new RegExp(re + '$', 'u');
}

const PREDICATES = new Set(['or', 'and', 'not', 'cmp', 'in', 'like', 'isnull', 'truthy']);

// 2.3's names of the comparison operators in its "... is not supported in execution backend" error.
const OP_NAME_23 = { '<': 'LessThan', '<=': 'LessEqual', '>': 'GreaterThan', '>=': 'GreaterEqual' };

function typeName(type) {
	return TYPE_NAME[type] || String(type);
}

function litType(v) {
	if (typeof v === 'bigint')
		return DataType.Int64;
	if (typeof v === 'number')
		return DataType.Double;
	if (typeof v === 'string')
		return DataType.VarChar;
	return DataType.Bool;
}

// ctx: { field(name) -> field model or undefined, dynamic: bool, accessor(field) -> (gid) -> value|null,
//        pk: pk field, v23: Milvus 2.3's dialect and errors }.
// Returns { test(gid) -> bool, range: {lo, loStrict, hi, hiStrict} (pk bounds, undefined = open) }.
function compile(src, ctx) {
	const v23 = !!ctx.v23;
	const bad = (msg) => (v23 ? fail.unexpected(`cannot parse expression: ${src}, error: ${msg}`)
		: fail.invalid(`failed to create query plan: cannot parse expression: ${src}, error: ${msg}`));
	let ast;
	try {
		ast = parse(src, v23);
	} catch (e) {
		if (e instanceof ExprError)
			throw bad(e.message);
		throw e;
	}

	// value(node) -> {kind, get(gid), type, elem, lit?, v?, field?, wholeJson?}
	function value(node) {
		switch (node.k) {
		case 'lit': {
			const v = node.v;
			return { kind: kindOfLit(v), lit: true, v, text: node.text, type: litType(v), elem: DataType.None, get: () => v };
		}
		case 'ident': {
			let f = ctx.field(node.name);
			let path = node.path;
			let dynamicKey = false;
			if (!f || f.isDynamic) {
				if (!ctx.dynamic)
					throw bad(`field ${node.name} not exist`);
				f = ctx.field('$meta');
				if (node.name !== '$meta') {
					path = [node.name, ...path];
					dynamicKey = true;
				}
			}
			if (v23 && f.type >= 100)	// refused by the comparison that uses it, in 2.3's words
				return { kind: 'other', field: f, type: f.type, elem: DataType.None, get: () => null };
			if (f.isFunctionOutput || f.type >= 100)
				throw bad(`vector field ${f.name} cannot be used in a filter`);
			const get = ctx.accessor(f);
			if (f.type === DataType.JSON) {
				return {
					kind: 'json', field: f, type: f.type, elem: DataType.None, wholeJson: !path.length && !dynamicKey,
					get: (gid) => {
						const raw = get(gid);
						if (raw === null || raw.length === 0)
							return null;
						let v = JSON.parse(raw.toString('utf8'));
						for (const k of path) {
							if (v === null || typeof v !== 'object' || !(k in v))
								return null;
							v = v[k];
						}
						return jsonValue(v);
					},
				};
			}
			if (path.length)
				throw bad(`field ${f.name} is not a JSON field`);
			return { kind: kindOfType(f.type), field: f, type: f.type, elem: f.elementType || DataType.None, get };
		}
		case 'arith': {
			const a = value(node.a), b = value(node.b);
			if (v23 && !a.lit && !b.lit)
				throw bad('not supported to do arithmetic operations between multiple fields');
			if ((!numeric(a.kind) && a.kind !== 'json') || (!numeric(b.kind) && b.kind !== 'json'))
				throw bad(`arithmetic ${node.op} needs numbers`);
			const kind = a.kind === 'float' || b.kind === 'float' ? 'float' : a.kind === 'json' || b.kind === 'json' ? 'json' : 'int';
			return { kind, arith: true, type: (a.lit ? b : a).type, elem: DataType.None,
				get: (gid) => arith(node.op, a.get(gid), b.get(gid)) };
		}
		default:
			return { kind: 'bool', type: DataType.Bool, elem: DataType.None, get: predicate(node) };
		}
	}

	// 2.3's type checks of a comparison between a and b (b may be a literal).
	function check23(a, b, op) {
		if (a.wholeJson || b.wholeJson)
			throw bad('can not comparisons jsonField directly');
		if ((a.arith || b.arith) && OP_NAME_23[op])
			throw bad(`${OP_NAME_23[op]} is not supported in execution backend`);
		const [field, lit] = b.lit ? [a, b] : [b, a];
		if (lit.lit && field.kind === 'int' && lit.kind === 'float')
			throw bad(`cannot cast value to ${typeName(field.type)}, value: float_val:${String(lit.v)} `);
		if (!comparable(a.kind, b.kind) || a.kind === 'other' || b.kind === 'other') {
			throw bad(`comparisons between ${typeName(a.type)}, element_type: ${typeName(a.elem)} and ` +
				`${typeName(b.type)} elementType: ${typeName(b.elem)} are not supported`);
		}
	}

	// where: the operator a non-boolean operand sits under ('and', 'or', 'not') or undefined at the top
	function predicate(node, where) {
		switch (node.k) {
		case 'or': {
			const a = predicate(node.a, 'or'), b = predicate(node.b, 'or');
			return (gid) => a(gid) || b(gid);
		}
		case 'and': {
			const a = predicate(node.a, 'and'), b = predicate(node.b, 'and');
			return (gid) => a(gid) && b(gid);
		}
		case 'not': {
			const a = predicate(node.a, 'not');
			return (gid) => !a(gid);
		}
		case 'cmp': {
			const a = value(node.a), b = value(node.b);
			if (v23)
				check23(a, b, node.op);
			if (!comparable(a.kind, b.kind))
				throw bad(`comparisons between ${a.kind} and ${b.kind} are not supported`);
			if (a.kind === 'other' || b.kind === 'other')
				throw bad('comparisons on array or vector fields are not supported');
			const test = CMP_FN[node.op];
			if (b.lit) {
				const v = b.v;
				return (gid) => {
					const x = a.get(gid);
					if (x === null)
						return false;
					const c = compareValues(x, v);
					return c !== undefined && test(c);
				};
			}
			return (gid) => {
				const x = a.get(gid), y = b.get(gid);
				if (x === null || y === null)
					return false;
				const c = compareValues(x, y);
				return c !== undefined && test(c);
			};
		}
		case 'in': {
			const a = value(node.a);
			node.list.forEach((v, i) => {
				const k = kindOfLit(v);
				if (v23 && a.kind !== 'json' && !(k === a.kind || (a.kind === 'float' && k === 'int')))
					throw bad(`value '${node.list.texts[i]}' in list cannot be casted to ${typeName(a.type)}`);
				if (!comparable(a.kind, k))
					throw bad(`the type of value ${v} does not match field type ${a.kind}`);
			});
			const neg = node.neg;
			const norm = (v) => (typeof v === 'bigint' && v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v);
			const set = new Set(node.list.map(norm));
			const exact = a.kind === 'string' || (a.kind === 'int' && node.list.every((v) => typeof v === 'bigint'));
			return (gid) => {
				const x = a.get(gid);
				if (x === null)
					return false;
				const hit = exact ? set.has(norm(x)) : node.list.some((v) => compareValues(x, v) === 0);
				return neg ? !hit : hit;
			};
		}
		case 'like': {
			const a = value(node.a);
			if (a.kind !== 'string' && a.kind !== 'json')
				throw bad(v23 ? 'like operation on non-string or no-json field is unsupported' : 'like needs a string field');
			if (v23) {
				// 2.3: a pattern is an exact match, or a prefix match with one % at its end; nothing else
				const at = node.pattern.indexOf('%');
				if (at >= 0 && at !== node.pattern.length - 1) {
					throw bad(`unsupported pattern: ${node.pattern}, only prefix pattern match like ab% and equal ` +
						'match like ab(no wildcards) are supported');
				}
				const stem = at < 0 ? node.pattern : node.pattern.slice(0, at);
				return (gid) => {
					const x = a.get(gid);
					return typeof x === 'string' && (at < 0 ? x === stem : x.startsWith(stem));
				};
			}
			const re = likeRegex(node.pattern);
			return (gid) => {
				const x = a.get(gid);
				return typeof x === 'string' && re.test(x);
			};
		}
		case 'isnull': {
			const a = value(node.a);
			const neg = node.neg;
			return (gid) => (a.get(gid) === null) !== neg;
		}
		case 'truthy': {
			if (PREDICATES.has(node.a.k))	// a parenthesized condition
				return predicate(node.a, where);
			const a = value(node.a);
			if (v23) {
				if (where === 'not')
					throw bad('not op can only be applied on boolean expression');
				if (where)
					throw bad(`'${where}' can only be used between boolean expressions`);
				throw fail.unexpected(`predicate is not a boolean expression: ${src}, data type: ${typeName(a.type)}`);
			}
			if (a.kind !== 'bool' && a.kind !== 'json')
				throw bad('the expression is not a boolean expression');
			return (gid) => a.get(gid) === true;
		}
		default:
			throw bad('not a boolean expression');
		}
	}

	const test = predicate(ast);
	return { test, range: pkRange(ast, ctx.pk), ast };
}

// The primary-key bounds implied by the top-level conjunction (used to seek, never to decide).
function pkRange(ast, pk) {
	const range = {};
	const terms = [];
	const flatten = (n) => {
		if (n.k === 'and') {
			flatten(n.a);
			flatten(n.b);
		} else {
			terms.push(n);
		}
	};
	flatten(ast);
	const isPk = (n) => n.k === 'ident' && n.name === pk.name && n.path.length === 0;
	const fits = (v) => (pk.type === DataType.Int64 ? typeof v === 'bigint' : typeof v === 'string');
	for (const t of terms) {
		if (t.k !== 'cmp')
			continue;
		let op = t.op, lit;
		if (isPk(t.a) && t.b.k === 'lit')
			lit = t.b.v;
		else if (isPk(t.b) && t.a.k === 'lit') {
			lit = t.a.v;
			op = FLIP[op];
		} else {
			continue;
		}
		if (!fits(lit))
			continue;
		const tighterLo = (v, strict) => {
			if (range.lo === undefined || compareValues(v, range.lo) > 0 || (compareValues(v, range.lo) === 0 && strict))
				Object.assign(range, { lo: v, loStrict: strict });
		};
		const tighterHi = (v, strict) => {
			if (range.hi === undefined || compareValues(v, range.hi) < 0 || (compareValues(v, range.hi) === 0 && strict))
				Object.assign(range, { hi: v, hiStrict: strict });
		};
		if (op === '>' || op === '>=')
			tighterLo(lit, op === '>');
		else if (op === '<' || op === '<=')
			tighterHi(lit, op === '<');
		else if (op === '==') {
			tighterLo(lit, false);
			tighterHi(lit, false);
		}
	}
	return range;
}

module.exports = { compile };
