// MessagePack for scripts, as Redis's built-in `cmsgpack` library packs and unpacks it:
// integral numbers as the smallest integer encoding, others as a float when that keeps the
// value and a double otherwise; strings as fixstr, str8, str16 or str32; a table whose keys
// are exactly 1..n as an array, any other as a map (in lua_next order); tables nested past
// 16 levels as nil. Written for the stub from the MessagePack format and Redis's replies.
#include "stub_lua.h"

#include <lua5.1/lauxlib.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NESTING 16

// A plain growable buffer: Lua's luaL_Buffer uses stack slots, which table walks cannot share.
typedef struct {
    unsigned char *bytes;
    size_t count, capacity;
} packer;

static void put_bytes(packer *p, const unsigned char *bytes, size_t count) {
    if (p->count + count > p->capacity) {
        size_t capacity = (p->count + count) * 2;
        unsigned char *grown = realloc(p->bytes, capacity);
        if (!grown) abort();
        p->bytes = grown;
        p->capacity = capacity;
    }
    memcpy(p->bytes + p->count, bytes, count);
    p->count += count;
}

static void put_big_endian(packer *p, unsigned char marker, uint64_t value, int width) {
    unsigned char bytes[9];
    bytes[0] = marker;
    for (int i = 0; i < width; i++) bytes[1 + i] = (unsigned char)(value >> (8 * (width - 1 - i)));
    put_bytes(p, bytes, (size_t)width + 1);
}

static void pack_integer(packer *p, int64_t n) {
    unsigned char byte;
    if (n >= 0) {
        if (n <= 127) { byte = (unsigned char)n; put_bytes(p, &byte, 1); }
        else if (n <= 0xff) put_big_endian(p, 0xcc, (uint64_t)n, 1);
        else if (n <= 0xffff) put_big_endian(p, 0xcd, (uint64_t)n, 2);
        else if (n <= 0xffffffffLL) put_big_endian(p, 0xce, (uint64_t)n, 4);
        else put_big_endian(p, 0xcf, (uint64_t)n, 8);
    } else {
        if (n >= -32) { byte = (unsigned char)(signed char)n; put_bytes(p, &byte, 1); }
        else if (n >= -128) put_big_endian(p, 0xd0, (uint64_t)n, 1);
        else if (n >= -32768) put_big_endian(p, 0xd1, (uint64_t)n, 2);
        else if (n >= -2147483648LL) put_big_endian(p, 0xd2, (uint64_t)n, 4);
        else put_big_endian(p, 0xd3, (uint64_t)n, 8);
    }
}

static void pack_number(packer *p, lua_Number n) {
    if (!isinf(n) && (lua_Number)(int64_t)n == n) {
        pack_integer(p, (int64_t)n);
        return;
    }
    float single = (float)n;
    if ((double)single == n) {
        uint32_t bits;
        memcpy(&bits, &single, 4);
        put_big_endian(p, 0xca, bits, 4);
    } else {
        uint64_t bits;
        memcpy(&bits, &n, 8);
        put_big_endian(p, 0xcb, bits, 8);
    }
}

static void pack_length(packer *p, size_t count, unsigned char fixed, unsigned char fixedLimit, unsigned char marker16, unsigned char marker32) {
    unsigned char byte;
    if (count <= fixedLimit) { byte = fixed | (unsigned char)count; put_bytes(p, &byte, 1); }
    else if (count <= 0xffff) put_big_endian(p, marker16, count, 2);
    else put_big_endian(p, marker32, count, 4);
}

static void pack_string(packer *p, const char *s, size_t count) {
    unsigned char byte;
    if (count < 32) { byte = 0xa0 | (unsigned char)count; put_bytes(p, &byte, 1); }
    else if (count <= 0xff) put_big_endian(p, 0xd9, count, 1);
    else if (count <= 0xffff) put_big_endian(p, 0xda, count, 2);
    else put_big_endian(p, 0xdb, count, 4);
    put_bytes(p, (const unsigned char *)s, count);
}

/// Keys exactly 1..n (an empty table too).
static int is_array(lua_State *L, int index) {
    lua_Number highest = 0, count = 0;
    lua_pushnil(L);
    while (lua_next(L, index)) {
        lua_pop(L, 1);
        lua_Number key;
        if (lua_type(L, -1) != LUA_TNUMBER || (key = lua_tonumber(L, -1)) <= 0 || (lua_Number)(int64_t)key != key) {
            lua_pop(L, 1);
            return 0;
        }
        if (key > highest) highest = key;
        count++;
    }
    return highest == count;
}

// The luaL_Buffer keeps values on the stack: everything packed is first copied to the top.
static void pack_value(lua_State *L, packer *p, int index, int level);

static void pack_table(lua_State *L, packer *p, int index, int level) {
    if (is_array(L, index)) {
        size_t count = lua_objlen(L, index);
        pack_length(p, count, 0x90, 15, 0xdc, 0xdd);
        for (size_t i = 1; i <= count; i++) {
            lua_rawgeti(L, index, (int)i);
            pack_value(L, p, lua_gettop(L), level + 1);
            lua_pop(L, 1);
        }
        return;
    }
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, index)) { lua_pop(L, 1); count++; }
    pack_length(p, count, 0x80, 15, 0xde, 0xdf);
    lua_pushnil(L);
    while (lua_next(L, index)) {
        int value = lua_gettop(L);
        pack_value(L, p, value - 1, level + 1);
        pack_value(L, p, value, level + 1);
        lua_pop(L, 1);
    }
}

static void pack_value(lua_State *L, packer *p, int index, int level) {
    unsigned char byte;
    int type = lua_type(L, index);
    if (type == LUA_TTABLE && level == MAX_NESTING) type = LUA_TNIL;
    switch (type) {
    case LUA_TBOOLEAN: byte = lua_toboolean(L, index) ? 0xc3 : 0xc2; put_bytes(p, &byte, 1); break;
    case LUA_TNUMBER: pack_number(p, lua_tonumber(L, index)); break;
    case LUA_TSTRING: {
        size_t count;
        const char *s = lua_tolstring(L, index, &count);
        pack_string(p, s, count);
        break;
    }
    case LUA_TTABLE: pack_table(L, p, index, level); break;
    default: byte = 0xc0; put_bytes(p, &byte, 1); break;
    }
}

static int cmsgpack_pack(lua_State *L) {
    int count = lua_gettop(L);
    if (count == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
    // Room for the deepest table walk (a key, a value and a probe per level).
    luaL_checkstack(L, 3 * MAX_NESTING + 8, "in function pack");
    packer p = {NULL, 0, 0};
    for (int i = 1; i <= count; i++) pack_value(L, &p, i, 0);
    lua_pushlstring(L, (const char *)p.bytes, p.count);
    free(p.bytes);
    return 1;
}

typedef struct {
    const unsigned char *p;
    size_t left;
    int error; // 0, 1: missing bytes, 2: bad format
} cursor;

static int need(cursor *c, size_t count) {
    if (c->left < count) { c->error = 1; return 0; }
    return 1;
}

static uint64_t read_big_endian(cursor *c, int width) {
    uint64_t value = 0;
    for (int i = 0; i < width; i++) value = value << 8 | c->p[i];
    c->p += width;
    c->left -= (size_t)width;
    return value;
}

static void unpack_value(lua_State *L, cursor *c);

static void unpack_string(lua_State *L, cursor *c, size_t count) {
    if (!need(c, count)) return;
    lua_pushlstring(L, (const char *)c->p, count);
    c->p += count;
    c->left -= count;
}

static void unpack_array(lua_State *L, cursor *c, size_t count) {
    lua_newtable(L);
    for (size_t i = 1; i <= count; i++) {
        lua_pushnumber(L, (lua_Number)i);
        unpack_value(L, c);
        if (c->error) return;
        lua_settable(L, -3);
    }
}

static void unpack_map(lua_State *L, cursor *c, size_t count) {
    lua_newtable(L);
    for (size_t i = 0; i < count; i++) {
        unpack_value(L, c);
        if (c->error) return;
        unpack_value(L, c);
        if (c->error) return;
        lua_settable(L, -3);
    }
}

static void unpack_value(lua_State *L, cursor *c) {
    luaL_checkstack(L, 3, "in function unpack");
    if (!need(c, 1)) return;
    unsigned char marker = *c->p;
    c->p++;
    c->left--;
    int widths[] = {1, 2, 4, 8};
    if (marker <= 0x7f) { lua_pushnumber(L, marker); return; }
    if (marker >= 0xe0) { lua_pushnumber(L, (signed char)marker); return; }
    if ((marker & 0xe0) == 0xa0) { unpack_string(L, c, marker & 0x1f); return; }
    if ((marker & 0xf0) == 0x90) { unpack_array(L, c, marker & 0x0f); return; }
    if ((marker & 0xf0) == 0x80) { unpack_map(L, c, marker & 0x0f); return; }
    switch (marker) {
    case 0xc0: lua_pushnil(L); return;
    case 0xc2: lua_pushboolean(L, 0); return;
    case 0xc3: lua_pushboolean(L, 1); return;
    case 0xcc: case 0xcd: case 0xce: case 0xcf: {
        int width = widths[marker - 0xcc];
        if (!need(c, (size_t)width)) return;
        // Redis reads a uint 64 as signed: 2^64-1 unpacks as -1.
        uint64_t raw = read_big_endian(c, width);
        lua_pushnumber(L, width == 8 ? (lua_Number)(int64_t)raw : (lua_Number)raw);
        return;
    }
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        int width = widths[marker - 0xd0];
        if (!need(c, (size_t)width)) return;
        uint64_t raw = read_big_endian(c, width);
        int shift = 64 - 8 * width;
        lua_pushnumber(L, (lua_Number)((int64_t)(raw << shift) >> shift));
        return;
    }
    case 0xca: {
        if (!need(c, 4)) return;
        uint32_t bits = (uint32_t)read_big_endian(c, 4);
        float value;
        memcpy(&value, &bits, 4);
        lua_pushnumber(L, value);
        return;
    }
    case 0xcb: {
        if (!need(c, 8)) return;
        uint64_t bits = read_big_endian(c, 8);
        double value;
        memcpy(&value, &bits, 8);
        lua_pushnumber(L, value);
        return;
    }
    case 0xd9: case 0xda: case 0xdb: {
        int width = widths[marker - 0xd9];
        if (!need(c, (size_t)width)) return;
        unpack_string(L, c, (size_t)read_big_endian(c, width));
        return;
    }
    case 0xdc: case 0xdd: {
        int width = marker == 0xdc ? 2 : 4;
        if (!need(c, (size_t)width)) return;
        unpack_array(L, c, (size_t)read_big_endian(c, width));
        return;
    }
    case 0xde: case 0xdf: {
        int width = marker == 0xde ? 2 : 4;
        if (!need(c, (size_t)width)) return;
        unpack_map(L, c, (size_t)read_big_endian(c, width));
        return;
    }
    default:
        c->error = 2;
    }
}

/// Every value (limit 0 and offset 0), or `limit` values from `offset` preceded by the
/// offset to go on from (-1 at the end).
static int unpack_from(lua_State *L, int limit, int offset) {
    size_t length;
    const char *s = luaL_checklstring(L, 1, &length);
    int everything = !limit && !offset;
    if (offset < 0 || limit < 0) return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", offset, (int)length);
    if ((size_t)offset > length) return luaL_error(L, "Start offset %d greater than input length %d.", offset, (int)length);
    if (everything) limit = 0x7fffffff;
    cursor c = {(const unsigned char *)s + offset, length - (size_t)offset, 0};
    int count;
    for (count = 0; c.left > 0 && count < limit; count++) {
        unpack_value(L, &c);
        if (c.error == 1) return luaL_error(L, "Missing bytes in input.");
        if (c.error == 2) return luaL_error(L, "Bad data format in input.");
    }
    if (!everything) {
        luaL_checkstack(L, 1, "in function unpack");
        lua_pushinteger(L, c.left == 0 ? -1 : (lua_Integer)(length - c.left));
        lua_insert(L, 2);
        count++;
    }
    return count;
}

static int cmsgpack_unpack(lua_State *L) { return unpack_from(L, 0, 0); }

static int cmsgpack_unpack_one(lua_State *L) {
    int offset = (int)luaL_optinteger(L, 2, 0);
    lua_pop(L, lua_gettop(L) - 1);
    return unpack_from(L, 1, offset);
}

static int cmsgpack_unpack_limit(lua_State *L) {
    int limit = (int)luaL_checkinteger(L, 2);
    int offset = (int)luaL_optinteger(L, 3, 0);
    lua_pop(L, lua_gettop(L) - 1);
    return unpack_from(L, limit, offset);
}

void stub_lua_open_cmsgpack(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"pack", cmsgpack_pack}, {"unpack", cmsgpack_unpack}, {"unpack_one", cmsgpack_unpack_one}, {"unpack_limit", cmsgpack_unpack_limit}, {NULL, NULL},
    };
    lua_newtable(L);
    luaL_register(L, NULL, functions);
    lua_setfield(L, LUA_GLOBALSINDEX, "cmsgpack");
}
