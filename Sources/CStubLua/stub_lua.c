#include "stub_lua.h"

#include <lua5.1/lauxlib.h>
#include <stdio.h>
#include <time.h>

static const char *deadline_key = "__stub_deadline_ms";

static long long monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void time_limit_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_getfield(L, LUA_REGISTRYINDEX, deadline_key);
    long long deadline = (long long)lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (deadline > 0 && monotonic_ms() > deadline) {
        lua_sethook(L, NULL, 0, 0);
        lua_newtable(L);
        lua_pushstring(L, "BUSY the script ran past the stub's time limit and was stopped");
        lua_setfield(L, -2, "err");
        lua_error(L);
    }
}

void stub_lua_arm_time_limit(lua_State *L, long long limit_ms) {
    lua_pushnumber(L, (lua_Number)(monotonic_ms() + limit_ms));
    lua_setfield(L, LUA_REGISTRYINDEX, deadline_key);
    lua_sethook(L, time_limit_hook, LUA_MASKCOUNT, 10000);
}

void stub_lua_disarm_time_limit(lua_State *L) {
    lua_sethook(L, NULL, 0, 0);
}

int stub_lua_registry_index(void) { return LUA_REGISTRYINDEX; }
int stub_lua_globals_index(void) { return LUA_GLOBALSINDEX; }

static int dispatch(lua_State *L, int raise) {
    int argc = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, argc, 2);
    if (raise && !lua_toboolean(L, -2)) {
        lua_Debug ar;
        if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
            lua_pushstring(L, ar.source);
            lua_setfield(L, -2, "source");
            lua_pushinteger(L, ar.currentline);
            lua_setfield(L, -2, "line");
        }
        lua_error(L);
    }
    return 1;
}

int stub_lua_redis_call(lua_State *L) { return dispatch(L, 1); }
int stub_lua_redis_pcall(lua_State *L) { return dispatch(L, 0); }
