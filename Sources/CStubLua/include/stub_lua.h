#ifndef STUB_LUA_H
#define STUB_LUA_H

#include <lua5.1/lua.h>

/// Arms a deadline `limit_ms` from now: a count hook raises an error table
/// {err = "BUSY ..."} from C once the script runs past it, so a runaway script stops
/// instead of hanging the process. Raising from C keeps longjmp out of Swift frames.
void stub_lua_arm_time_limit(lua_State *L, long long limit_ms);

/// Disarms the deadline.
void stub_lua_disarm_time_limit(lua_State *L);

/// `redis.call` and `redis.pcall`: C functions (so that a tail call keeps the script's frame
/// for the error's line) around upvalue 1, the stub's `ok, result` dispatcher. `redis.call`
/// raises the error table with the caller's source and line, from C.
int stub_lua_redis_call(lua_State *L);
int stub_lua_redis_pcall(lua_State *L);

/// Sets the global `cmsgpack`: pack, unpack, unpack_one, unpack_limit, as Redis's built-in
/// MessagePack library answers them.
void stub_lua_open_cmsgpack(lua_State *L);

/// Sets the global `struct`: pack, unpack, size, as Redis's built-in binary-record library.
void stub_lua_open_struct(lua_State *L);

/// The registry and globals pseudo-indices, which Swift cannot import from their macros.
int stub_lua_registry_index(void);
int stub_lua_globals_index(void);

#endif
