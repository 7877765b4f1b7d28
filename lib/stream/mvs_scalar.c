/* Single scalar values of the row encoding (see mvs_scalar.h): written with msgpack-c, read with
 * mvs_mpack.h's reader. */
#include "mvs_scalar.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "mvs_mpack.h"

int mvs_scalar_encode(const struct mvs_scalar *v, unsigned char **out, size_t *outlen)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc = 0;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	switch (v->kind) {
	case MVS_SCALAR_BOOL:
		rc = v->b ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
		break;
	case MVS_SCALAR_INT:
		rc = msgpack_pack_int64(&pk, v->i);
		break;
	case MVS_SCALAR_F32: {
		uint32_t bits = (uint32_t)v->bits;
		float f;
		memcpy(&f, &bits, sizeof f);
		rc = msgpack_pack_float(&pk, f);	/* msgpack-c stores the float's bytes as they are */
		break;
	}
	case MVS_SCALAR_F64: {
		double d;
		memcpy(&d, &v->bits, sizeof d);
		rc = msgpack_pack_double(&pk, d);
		break;
	}
	case MVS_SCALAR_STR:
		rc = msgpack_pack_str(&pk, v->len) || (v->len > 0 && msgpack_pack_str_body(&pk, v->s, v->len));
		break;
	}
	if (rc == 0 && (*out = malloc(sb.size ? sb.size : 1)) != NULL) {
		memcpy(*out, sb.data, sb.size);
		*outlen = sb.size;
	} else {
		rc = -1;
	}
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

int mvs_scalar_decode(const unsigned char *p, size_t len, struct mvs_scalar *v)
{
	struct mvs_mp c = { p, p + len };
	struct mvs_mp_obj o;

	*v = (struct mvs_scalar){ 0 };
	if (mvs_mp_read(&c, &o) != 0 || c.p != c.end)
		return -1;
	switch (o.kind) {
	case MVS_MP_BOOL:
		v->kind = MVS_SCALAR_BOOL;
		v->b = o.b;
		return 0;
	case MVS_MP_INT:
		v->kind = MVS_SCALAR_INT;
		v->i = o.i;
		return 0;
	case MVS_MP_UINT:
		if (o.u > INT64_MAX)
			return -1;
		v->kind = MVS_SCALAR_INT;
		v->i = (int64_t)o.u;
		return 0;
	case MVS_MP_F32:
	case MVS_MP_F64:
		v->kind = o.kind == MVS_MP_F32 ? MVS_SCALAR_F32 : MVS_SCALAR_F64;
		v->bits = o.bits;
		return 0;
	case MVS_MP_STR:
		v->kind = MVS_SCALAR_STR;
		v->s = o.data;
		v->len = o.len;
		return 0;
	default:
		return -1;
	}
}
