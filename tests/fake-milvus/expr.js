// The boolean filter subset of the Milvus expression language that iterators and users need:
// comparisons (== != < <= > >=, chained), in / not in, and / or / && / || / not / !, parentheses,
// integer and float literals (Int64 exact via BigInt), "..." and '...' strings with backslash escapes,
// true/false, + - * / % arithmetic, like, is null / is not null, JSON paths j["k"] and dynamic keys.
// parse() builds an AST; compile() type-checks it against the collection and returns a predicate over
// row ids plus the primary-key range the store can seek to.
'use strict';

const { DataType } = require('./proto');
const { fail } = require('./errors');
const { compareStrings } = require('./store');

const INT_TYPES = new Set([DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64]);
const FLOAT_TYPES = new Set([DataType.Float, DataType.Double]);
const STRING_TYPES = new Set([DataType.VarChar, DataType.Text]);

class ExprError extends Error {}

// ---- lexer ----

const PUNCT = ['&&', '||', '==', '!=', '<=', '>=', '**', '<', '>', '(', ')', '[', ']', ',', '+', '-', '*', '/', '%', '!'];
const ESCAPES = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', '\\': '\\', '"': '"', "'": "'", '/': '/' };

function lex(src) {
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
			if (/^(\d+|0[xX][0-9a-fA-F]+)$/.test(text))
				toks.push({ t: 'num', v: BigInt(text) });
			else
				toks.push({ t: 'num', v: Number(text) });
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

function keyword(tok) {
	if (tok.t !== 'id')
		return null;
	const k = tok.v.toLowerCase();
	// Milvus accepts and/AND, or/OR, not/NOT, in/IN, like/LIKE, true/True/TRUE.
	if (k in KEYWORDS && (tok.v === k || tok.v === k.toUpperCase() || tok.v === k[0].toUpperCase() + k.slice(1)))
		return k;
	return null;
}

function parse(src) {
	const toks = lex(src);
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
				return { k: 'lit', v: -a.v };
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
			return { k: 'lit', v: t.v };
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
		const items = [];
		while (!isOp(']')) {
			const e = unary();
			if (e.k !== 'lit')
				throw new ExprError('the values of in [] must be literals');
			items.push(e.v);
			if (isOp(','))
				next();
			else if (!isOp(']'))
				throw new ExprError("expected ',' or ']'");
		}
		next();
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

// ctx: { field(name) -> field model or undefined, dynamic: bool, accessor(field) -> (gid) -> value|null,
//        pk: pk field }.
// Returns { test(gid) -> bool, range: {lo, loStrict, hi, hiStrict} (pk bounds, undefined = open) }.
function compile(src, ctx) {
	let ast;
	try {
		ast = parse(src);
	} catch (e) {
		if (e instanceof ExprError)
			throw fail.invalid(`failed to create query plan: cannot parse expression: ${src}, error: ${e.message}`);
		throw e;
	}
	const bad = (msg) => fail.invalid(`failed to create query plan: cannot parse expression: ${src}, error: ${msg}`);

	// value(node) -> {kind, get(gid)}
	function value(node) {
		switch (node.k) {
		case 'lit': {
			const v = node.v;
			return { kind: kindOfLit(v), lit: true, v, get: () => v };
		}
		case 'ident': {
			let f = ctx.field(node.name);
			let path = node.path;
			if (!f || f.isDynamic) {
				if (!ctx.dynamic)
					throw bad(`field ${node.name} not exist`);
				f = ctx.field('$meta');
				if (node.name !== '$meta')
					path = [node.name, ...path];
			}
			if (f.isFunctionOutput || f.type >= 100)
				throw bad(`vector field ${f.name} cannot be used in a filter`);
			const get = ctx.accessor(f);
			if (f.type === DataType.JSON) {
				return {
					kind: 'json', field: f,
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
			return { kind: kindOfType(f.type), field: f, get };
		}
		case 'arith': {
			const a = value(node.a), b = value(node.b);
			if ((!numeric(a.kind) && a.kind !== 'json') || (!numeric(b.kind) && b.kind !== 'json'))
				throw bad(`arithmetic ${node.op} needs numbers`);
			const kind = a.kind === 'float' || b.kind === 'float' ? 'float' : a.kind === 'json' || b.kind === 'json' ? 'json' : 'int';
			return { kind, get: (gid) => arith(node.op, a.get(gid), b.get(gid)) };
		}
		default:
			return { kind: 'bool', get: predicate(node) };
		}
	}

	function predicate(node) {
		switch (node.k) {
		case 'or': {
			const a = predicate(node.a), b = predicate(node.b);
			return (gid) => a(gid) || b(gid);
		}
		case 'and': {
			const a = predicate(node.a), b = predicate(node.b);
			return (gid) => a(gid) && b(gid);
		}
		case 'not': {
			const a = predicate(node.a);
			return (gid) => !a(gid);
		}
		case 'cmp': {
			const a = value(node.a), b = value(node.b);
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
			for (const v of node.list) {
				if (!comparable(a.kind, kindOfLit(v)))
					throw bad(`the type of value ${v} does not match field type ${a.kind}`);
			}
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
				throw bad('like needs a string field');
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
			const a = value(node.a);
			if (a.kind !== 'bool' && a.kind !== 'json')
				throw bad('the expression is not a boolean expression');
			return (gid) => a.get(gid) === true;
		}
		default:
			throw bad('not a boolean expression');
		}
	}

	const test = predicate(ast);
	return { test, range: pkRange(ast, ctx.pk) };
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
