// The syntax check of Go's encoding/json (its scanner's errors, word for word), for Milvus 2.3's
// answers to bad JSON: "invalid character 'x' looking for beginning of value", "unexpected end of JSON
// input", ... and the kind of a valid document's top-level value (for "json: cannot unmarshal number
// into Go value of type map[string]interface {}").
'use strict';

class GoJsonError extends Error {}

const EOF_MSG = 'unexpected end of JSON input';

// Go's strconv.Quote of the rune U+00XX, as quoteChar prints a byte.
function quoteChar(c) {
	if (c === 0x27)
		return "'\\''";
	if (c === 0x22)
		return "'\"'";
	const named = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 92: '\\\\' };
	let s;
	if (named[c])
		s = named[c];
	else if (c < 0x20 || c === 0x7f)
		s = '\\x' + c.toString(16).padStart(2, '0');
	else if ((c >= 0x80 && c <= 0xa0) || c === 0xad)
		s = '\\u' + c.toString(16).padStart(4, '0');
	else
		s = String.fromCharCode(c);
	return `'${s}'`;
}

function check(buf) {
	let i = 0;
	const n = buf.length;
	const fail = (what) => {
		throw new GoJsonError(i >= n ? EOF_MSG : `invalid character ${quoteChar(buf[i])} ${what}`);
	};
	const eof = () => {
		if (i >= n)
			throw new GoJsonError(EOF_MSG);
	};
	const ws = () => {
		while (i < n && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0a || buf[i] === 0x0d))
			i++;
	};
	const digit = () => i < n && buf[i] >= 0x30 && buf[i] <= 0x39;
	function string() {
		i++;
		for (;;) {
			eof();
			const c = buf[i];
			if (c === 0x22) {
				i++;
				return;
			}
			if (c === 0x5c) {
				i++;
				eof();
				const e = buf[i];
				if ('bfnrt\\/"'.includes(String.fromCharCode(e))) {
					i++;
				} else if (e === 0x75) {
					i++;
					for (let k = 0; k < 4; k++) {
						eof();
						if (!/[0-9a-fA-F]/.test(String.fromCharCode(buf[i])))
							fail('in \\u hexadecimal character escape');
						i++;
					}
				} else {
					fail('in string escape code');
				}
				continue;
			}
			if (c < 0x20)
				fail('in string literal');
			i++;
		}
	}
	function number() {
		if (buf[i] === 0x2d) {
			i++;
			eof();
			if (!digit())
				fail('in numeric literal');
		}
		if (buf[i] === 0x30) {
			i++;
		} else {
			while (digit())
				i++;
		}
		if (i < n && buf[i] === 0x2e) {
			i++;
			eof();
			if (!digit())
				fail('after decimal point in numeric literal');
			while (digit())
				i++;
		}
		if (i < n && (buf[i] === 0x65 || buf[i] === 0x45)) {
			i++;
			eof();
			if (buf[i] === 0x2b || buf[i] === 0x2d) {
				i++;
				eof();
			}
			if (!digit())
				fail('in exponent of numeric literal');
			while (digit())
				i++;
		}
	}
	function literal(word) {
		i++;
		for (const ch of word.slice(1)) {
			eof();
			if (buf[i] !== ch.charCodeAt(0))
				fail(`in literal ${word} (expecting '${ch}')`);
			i++;
		}
	}
	function value() {
		ws();
		eof();
		const c = buf[i];
		if (c === 0x7b) {
			i++;
			ws();
			eof();
			if (buf[i] === 0x7d) {
				i++;
				return;
			}
			for (;;) {
				if (buf[i] !== 0x22)
					fail('looking for beginning of object key string');
				string();
				ws();
				eof();
				if (buf[i] !== 0x3a)
					fail('after object key');
				i++;
				value();
				ws();
				eof();
				if (buf[i] === 0x2c) {
					i++;
					ws();
					eof();
					continue;
				}
				if (buf[i] === 0x7d) {
					i++;
					return;
				}
				fail('after object key:value pair');
			}
		}
		if (c === 0x5b) {
			i++;
			ws();
			eof();
			if (buf[i] === 0x5d) {
				i++;
				return;
			}
			for (;;) {
				value();
				ws();
				eof();
				if (buf[i] === 0x2c) {
					i++;
					continue;
				}
				if (buf[i] === 0x5d) {
					i++;
					return;
				}
				fail('after array element');
			}
		}
		if (c === 0x22)
			return string();
		if (c === 0x2d || (c >= 0x30 && c <= 0x39))
			return number();
		if (c === 0x74)
			return literal('true');
		if (c === 0x66)
			return literal('false');
		if (c === 0x6e)
			return literal('null');
		fail('looking for beginning of value');
	}
	value();
	ws();
	if (i < n)
		fail('after top-level value');
}

// The error Go's json.Valid/Unmarshal gives for buf, or null when it is valid JSON.
function goJsonError(buf) {
	try {
		check(buf);
		return null;
	} catch (e) {
		if (e instanceof GoJsonError)
			return e.message;
		throw e;
	}
}

// The kind of a valid document's top-level value, in Go's words: object, null, array, string, bool, number.
function goJsonKind(buf) {
	let i = 0;
	while (i < buf.length && ' \t\r\n'.includes(String.fromCharCode(buf[i])))
		i++;
	const c = String.fromCharCode(buf[i]);
	return { '{': 'object', n: 'null', '[': 'array', '"': 'string', t: 'bool', f: 'bool' }[c] || 'number';
}

module.exports = { goJsonError, goJsonKind };
