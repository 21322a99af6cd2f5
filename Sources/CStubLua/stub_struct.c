// `struct` for scripts, as Redis's built-in library packs and unpacks binary records:
// formats of '<' '>' (byte order), '!n' (alignment), 'x' (a zero byte), 'b' 'B' 'h' 'H' 'l'
// 'L' 'T' 'in' 'In' (integers of 1, 2, 8, 8 and n bytes), 'f' 'd', 's' (zero-terminated) and
// 'cn' (n bytes; c0 takes its length from the string, or from the number unpacked before).
// Written for the stub from that format and Redis's replies.
#include "stub_lua.h"

#include <ctype.h>
#include <limits.h>
#include <lua5.1/lauxlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MAX_INT_SIZE 32
// The widest alignment a C struct needs here: a double, a pointer, a Lua number.
#define MAX_ALIGN 8

typedef struct {
    int little;
    int align;
} layout;

static int read_number(lua_State *L, const char **format, int fallback) {
    if (!isdigit((unsigned char)**format)) return fallback;
    int value = 0;
    do {
        int digit = *((*format)++) - '0';
        if (value > (INT_MAX - digit) / 10) luaL_error(L, "integral size overflow");
        value = value * 10 + digit;
    } while (isdigit((unsigned char)**format));
    return value;
}

static size_t option_size(lua_State *L, char option, const char **format) {
    switch (option) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return sizeof(short);
    case 'L': case 'l': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'x': return 1;
    case 'c': return (size_t)read_number(L, format, 1);
    case 'i': case 'I': {
        int size = read_number(L, format, sizeof(int));
        if (size > MAX_INT_SIZE) luaL_error(L, "integral size %d is larger than limit of %d", size, MAX_INT_SIZE);
        return (size_t)size;
    }
    default: return 0;
    }
}

static size_t padding(size_t offset, const layout *l, char option, size_t size) {
    if (size <= 1 || option == 'c') return 0;
    size_t align = size < (size_t)l->align ? size : (size_t)l->align;
    return (align - (offset & (align - 1))) & (align - 1);
}

static void control(lua_State *L, char option, const char **format, layout *l) {
    switch (option) {
    case ' ': return;
    case '>': l->little = 0; return;
    case '<': l->little = 1; return;
    case '!': {
        int align = read_number(L, format, MAX_ALIGN);
        if (align <= 0 || (align & (align - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", align);
        l->align = align;
        return;
    }
    default:
        luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", option));
    }
}

/// Bytes in the layout's order from the machine's (little-endian) order.
static void order(unsigned char *bytes, size_t size, const layout *l) {
    if (l->little) return;
    for (size_t i = 0; i < size / 2; i++) {
        unsigned char swap = bytes[i];
        bytes[i] = bytes[size - 1 - i];
        bytes[size - 1 - i] = swap;
    }
}

static int struct_pack(lua_State *L) {
    const char *format = luaL_checkstring(L, 1);
    layout l = {1, 1};
    int argument = 2;
    size_t total = 0;
    luaL_Buffer buffer;
    lua_pushnil(L);
    luaL_buffinit(L, &buffer);
    while (*format) {
        char option = *format++;
        size_t size = option_size(L, option, &format);
        size_t pad = padding(total, &l, option, size);
        total += pad;
        while (pad-- > 0) luaL_addchar(&buffer, '\0');
        switch (option) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
            lua_Number n = luaL_checknumber(L, argument++);
            uint64_t value = n < 0 ? (uint64_t)(int64_t)n : (uint64_t)n;
            unsigned char bytes[MAX_INT_SIZE];
            for (size_t i = 0; i < size; i++) {
                bytes[l.little ? i : size - 1 - i] = (unsigned char)(value & 0xff);
                value >>= 8;
            }
            luaL_addlstring(&buffer, (const char *)bytes, size);
            break;
        }
        case 'x': luaL_addchar(&buffer, '\0'); break;
        case 'f': {
            float value = (float)luaL_checknumber(L, argument++);
            order((unsigned char *)&value, size, &l);
            luaL_addlstring(&buffer, (const char *)&value, size);
            break;
        }
        case 'd': {
            double value = luaL_checknumber(L, argument++);
            order((unsigned char *)&value, size, &l);
            luaL_addlstring(&buffer, (const char *)&value, size);
            break;
        }
        case 'c': case 's': {
            size_t length;
            const char *s = luaL_checklstring(L, argument++, &length);
            if (size == 0) size = length;
            luaL_argcheck(L, length >= size, argument, "string too short");
            luaL_addlstring(&buffer, s, size);
            if (option == 's') {
                luaL_addchar(&buffer, '\0');
                size++;
            }
            break;
        }
        default: control(L, option, &format, &l);
        }
        total += size;
    }
    luaL_pushresult(&buffer);
    return 1;
}

static lua_Number read_integer(const unsigned char *bytes, const layout *l, int is_signed, size_t size) {
    uint64_t value = 0;
    for (size_t i = 0; i < size; i++) value = value << 8 | bytes[l->little ? size - 1 - i : i];
    if (!is_signed) return (lua_Number)value;
    if (size < 8) {
        uint64_t sign = (uint64_t)1 << (size * 8 - 1);
        if (value & sign) value |= ~((sign << 1) - 1);
    }
    return (lua_Number)(int64_t)value;
}

static int struct_unpack(lua_State *L) {
    const char *format = luaL_checkstring(L, 1);
    size_t length;
    const unsigned char *data = (const unsigned char *)luaL_checklstring(L, 2, &length);
    lua_Integer start = luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, start > 0, 3, "offset must be 1 or greater");
    size_t position = (size_t)start - 1;
    layout l = {1, 1};
    int results = 0;
    while (*format) {
        char option = *format++;
        size_t size = option_size(L, option, &format);
        position += padding(position, &l, option, size);
        luaL_argcheck(L, size <= length && position <= length - size, 2, "data string too short");
        luaL_checkstack(L, 2, "too many results");
        switch (option) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
            lua_pushnumber(L, read_integer(data + position, &l, islower((unsigned char)option), size));
            results++;
            break;
        case 'x': break;
        case 'f': {
            float value;
            memcpy(&value, data + position, size);
            order((unsigned char *)&value, sizeof value, &l);
            lua_pushnumber(L, value);
            results++;
            break;
        }
        case 'd': {
            double value;
            memcpy(&value, data + position, size);
            order((unsigned char *)&value, sizeof value, &l);
            lua_pushnumber(L, value);
            results++;
            break;
        }
        case 'c':
            if (size == 0) {
                if (results == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
                size = (size_t)lua_tonumber(L, -1);
                lua_pop(L, 1);
                results--;
                luaL_argcheck(L, size <= length && position <= length - size, 2, "data string too short");
            }
            lua_pushlstring(L, (const char *)data + position, size);
            results++;
            break;
        case 's': {
            const unsigned char *end = memchr(data + position, '\0', length - position);
            if (!end) luaL_error(L, "unfinished string in data");
            size = (size_t)(end - (data + position)) + 1;
            lua_pushlstring(L, (const char *)data + position, size - 1);
            results++;
            break;
        }
        default: control(L, option, &format, &l);
        }
        position += size;
    }
    lua_pushinteger(L, (lua_Integer)position + 1);
    return results + 1;
}

static int struct_size(lua_State *L) {
    const char *format = luaL_checkstring(L, 1);
    layout l = {1, 1};
    size_t position = 0;
    while (*format) {
        char option = *format++;
        size_t size = option_size(L, option, &format);
        position += padding(position, &l, option, size);
        if (option == 's') luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (option == 'c' && size == 0) luaL_argerror(L, 1, "option 'c0' has no fixed size");
        if (!isalnum((unsigned char)option)) control(L, option, &format, &l);
        position += size;
    }
    lua_pushinteger(L, (lua_Integer)position);
    return 1;
}

void stub_lua_open_struct(lua_State *L) {
    static const luaL_Reg functions[] = {{"pack", struct_pack}, {"unpack", struct_unpack}, {"size", struct_size}, {NULL, NULL}};
    lua_newtable(L);
    luaL_register(L, NULL, functions);
    lua_setfield(L, LUA_GLOBALSINDEX, "struct");
}
