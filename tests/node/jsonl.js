// JSON text helpers for the mvs-cat row format: a writer that prints Int64 values (BigInt) exactly and
// Float/Double values like C's "%.9g"/"%.17g", and a reader that keeps integers beyond 2^53 exact.
'use strict';

// A piece of JSON text written as is (pre-formatted numbers).
class Raw {
	constructor(text) {
		this.text = text;
	}
}

function stripZeros(s) {
	if (!s.includes('.'))
		return s;
	s = s.replace(/0+$/, '');
	return s.endsWith('.') ? s.slice(0, -1) : s;
}

// C printf "%.<prec>g" of a finite number.
function formatG(x, prec) {
	if (x === 0)
		return Object.is(x, -0) ? '-0' : '0';
	const [mant, expText] = x.toExponential(prec - 1).split('e');
	const e = Number(expText);
	if (e < -4 || e >= prec)
		return `${stripZeros(mant)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
	return stripZeros(x.toFixed(prec - 1 - e));
}

// A Float (prec 9) or Double (prec 17) value as mvs-cat prints it: non-finite values as strings.
function number(x, prec) {
	if (Number.isNaN(x))
		return 'NaN';
	if (x === Infinity)
		return 'Infinity';
	if (x === -Infinity)
		return '-Infinity';
	return new Raw(formatG(x, prec));
}

function stringify(v) {
	if (v === null || v === undefined)
		return 'null';
	if (v instanceof Raw)
		return v.text;
	switch (typeof v) {
	case 'bigint': return v.toString();
	case 'number': return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v));
	case 'boolean': return v ? 'true' : 'false';
	case 'string': return JSON.stringify(v);
	default: break;
	}
	if (Array.isArray(v))
		return `[${v.map(stringify).join(',')}]`;
	return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${stringify(v[k])}`).join(',')}}`;
}

// JSON.parse, except that integer literals outside the safe range become BigInt.
function parse(text) {
	let i = 0;
	const fail = (msg) => {
		throw new SyntaxError(`${msg} at offset ${i}`);
	};
	const ws = () => {
		while (i < text.length && ' \t\r\n'.includes(text[i]))
			i++;
	};
	function value() {
		ws();
		const c = text[i];
		if (c === '{') {
			i++;
			const obj = {};
			ws();
			if (text[i] === '}') {
				i++;
				return obj;
			}
			for (;;) {
				ws();
				if (text[i] !== '"')
					fail('expected a key');
				const k = str();
				ws();
				if (text[i++] !== ':')
					fail("expected ':'");
				obj[k] = value();
				ws();
				if (text[i] === ',') {
					i++;
					continue;
				}
				if (text[i++] !== '}')
					fail("expected ',' or '}'");
				return obj;
			}
		}
		if (c === '[') {
			i++;
			const arr = [];
			ws();
			if (text[i] === ']') {
				i++;
				return arr;
			}
			for (;;) {
				arr.push(value());
				ws();
				if (text[i] === ',') {
					i++;
					continue;
				}
				if (text[i++] !== ']')
					fail("expected ',' or ']'");
				return arr;
			}
		}
		if (c === '"')
			return str();
		for (const [lit, val] of [['true', true], ['false', false], ['null', null]]) {
			if (text.startsWith(lit, i)) {
				i += lit.length;
				return val;
			}
		}
		const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
		if (!m)
			fail('unexpected character');
		i += m[0].length;
		if (!m[1] && !m[2]) {
			const n = Number(m[0]);
			return Number.isSafeInteger(n) ? n : BigInt(m[0]);
		}
		return Number(m[0]);
	}
	function str() {
		const start = i;
		i++;
		while (i < text.length && text[i] !== '"')
			i += text[i] === '\\' ? 2 : 1;
		if (i >= text.length)
			fail('unterminated string');
		i++;
		return JSON.parse(text.slice(start, i));
	}
	const v = value();
	ws();
	if (i !== text.length)
		fail('trailing characters');
	return v;
}

module.exports = { Raw, number, stringify, parse };
