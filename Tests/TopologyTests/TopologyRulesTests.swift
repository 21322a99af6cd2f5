import Foundation
import Generators
import Testing
@testable import Topology

/// Each rule with a file that breaks it, asserting the exact line, column and message.
@Suite struct TopologyRulesTests {
    func diagnostics(_ text: String) -> [String] {
        let collector = DiagnosticsCollector()
        _ = TopologyLoading.load(Array(text.utf8), file: "t.yaml", diagnostics: collector, targets: Generator.targetReaders)
        return collector.sorted.map(\.description)
    }

    @Test(arguments: [
        ("redis:\n  port: 1\n", "t.yaml:1:1: error: a topology needs a 'name' (it prefixes every service and resource)"),
        ("name: Bad_Name\n", "t.yaml:1:7: error: 'name' must be 1 to 40 lower-case letters, digits or '-', starting with a letter (it names services and resources), not 'Bad_Name'"),
        ("name: a\nredis:\n  prot: 1\n", "t.yaml:3:3: error: unknown key 'prot' in 'redis'; did you mean 'port'?"),
        ("name: a\nredis:\n  port: 70000\n", "t.yaml:3:9: error: 'redis.port' must be between 1 and 65535, not 70000"),
        ("name: a\nredis:\n  port: six\n", "t.yaml:3:9: error: 'redis.port' must be a whole number, not 'six'"),
        ("name: a\nredis:\n  mode: sentinal\n", "t.yaml:3:9: error: 'redis.mode' must be one of standalone, sentinel, cluster; did you mean 'sentinel'? got 'sentinal'"),
        ("name: a\nredis:\n  version: \"7.3\"\n", "t.yaml:3:12: error: 'redis.version' must be a Redis version, one of 6.2, 7.0, 7.1, 7.2; did you mean '7.0'?"),
        ("name: a\nredis:\n  engine: valkey\n  version: \"7.0\"\n", "t.yaml:4:12: error: 'redis.version' must be a Valkey version, one of 7.2, 8.0, 8.1, 9.0; Redis 7.0 is 'engine: redis'"),
        ("name: a\nredis:\n  version: \"8.1\"\n", "t.yaml:3:12: error: 'redis.version' must be a Redis version, one of 6.2, 7.0, 7.1, 7.2; Valkey 8.1 is 'engine: valkey'"),
        ("name: a\nredis:\n  engine: keydb\n", "t.yaml:3:11: error: 'redis.engine' must be one of redis, valkey; got 'keydb'"),
        ("name: a\nredis:\n  maxmemory: lots\n", "t.yaml:3:14: error: 'redis.maxmemory' must be a size like 512mb or 2gb, not 'lots'"),
        ("name: a\nredis:\n  min_replicas_to_write: 1\n", "t.yaml:3:26: error: 'redis.min_replicas_to_write' is 1 but there are only 0 replicas; the master would refuse every write"),
        ("name: a\nredis:\n  persistence: {appendonly: no, save: off}\n", "t.yaml:3:29: error: persistence is off but the master restarts automatically ('redis.restart: unless-stopped'): it would come back empty and its replicas would sync the empty data set. Turn persistence on or set 'restart: no'"),
        ("name: a\nredis:\n  persistence: {save: [\"900\"]}\n", "t.yaml:3:24: error: 'redis.persistence.save' rules are \"<seconds> <changes>\", like \"300 10\", not '900'"),
        ("name: a\nredis:\n  config: {requirepass: x}\n", "t.yaml:3:12: error: 'redis.config' must not set 'requirepass': the generator writes it from the topology's own keys"),
        ("name: a\nredis:\n  config: {maxclients: \"1\\nrequirepass x\"}\n", "t.yaml:3:24: error: 'redis.config.maxclients' must be one non-empty line (a value cannot add lines to redis.conf)"),
        ("name: a\nredis: {mode: sentinel}\nsentinel: {count: 2}\n", "t.yaml:3:19: error: 'sentinel.count' is 2; at least 3 Sentinels are needed to fail over safely (quorum 2 of 3)"),
        ("name: a\nredis: {mode: sentinel}\nsentinel: {count: 3, quorum: 1}\n", "t.yaml:3:30: error: 'sentinel.quorum' must be between 2 (a majority) and 3, not 1"),
        ("name: a\nredis: {mode: sentinel}\nsentinel: {count: 4, quorum: 3}\n", "t.yaml:3:19: warning: 'sentinel.count' is even (4); an odd count tolerates the same failures with one Sentinel fewer"),
        ("name: a\nredis: {mode: sentinel, replicas: 0}\n", "t.yaml:2:35: error: sentinel mode needs 'redis.replicas' of at least 1 (a failover needs a replica to promote)"),
        ("name: a\nredis: {mode: sentinel, port: 26379}\n", "t.yaml:2:15: error: 'sentinel.port' 26379 collides with 'redis.port'"),
        ("name: a\nauth:\n  password: hunter2\n", "t.yaml:3:13: error: 'auth.password' holds a literal password; a secret must not live in the topology. Reference it instead: {secret_file: ./secrets/redis-password}, {env: REDIS_PASSWORD} or {terraform_variable: redis_auth_token}"),
        ("name: a\nauth:\n  password: {env: A, secret_file: b}\n", "t.yaml:3:13: error: 'auth.password' needs exactly one of secret_file, env, terraform_variable"),
        ("name: a\ntls: {enabled: true, cert_file: a}\n", "t.yaml:2:16: error: TLS is on but 'tls.key_file' is missing"),
        ("name: a\ntls: {auth_clients: maybe}\n", "t.yaml:2:21: error: 'tls.auth_clients' must be one of yes, no, optional; got 'maybe'"),
        ("name: a\nclients:\n  - service: api\n  - service: api\n", "t.yaml:4:14: error: client service 'api' is listed twice (first at 3:14)"),
        ("name: a\nclients:\n  - service: api\n    env: [redis_url]\n", "t.yaml:4:11: error: 'clients[].env' must name environment variables (A-Z, 0-9, _), not 'redis_url'"),
        ("name: a\nclients:\n  - env: [A]\n", "t.yaml:3:5: error: a client needs a 'service' (the Compose service to wire)"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws, transit_encryption: false}\n", "t.yaml:4:43: error: ElastiCache takes an auth token only with transit encryption: set 'transit_encryption: true' or turn auth off"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws, automatic_failover: true}\n", "t.yaml:4:43: error: automatic failover needs at least 2 nodes; set 'redis.replicas' to 1 or more"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws, multi_az: yes}\n", "t.yaml:4:33: error: 'multi_az' needs 'automatic_failover: true'"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws, node_type: cache.r7g.larg}\n", "t.yaml:4:34: error: 'node_type' 'cache.r7g.larg' is not a known ElastiCache node type; did you mean 'cache.r7g.large'?"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws, at_rest_encryption: no, kms_key_variable: k}\n", "t.yaml:4:65: error: 'kms_key_variable' needs 'at_rest_encryption: true'"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws, snapshot_window: \"3-4\"}\n", "t.yaml:4:40: error: 'snapshot_window' must be hh:mm-hh:mm in UTC, like 03:00-04:00"),
        ("name: a\nredis: {replicas: 1}\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1}\n", "t.yaml:2:19: error: Memorystore BASIC (standalone) has no replicas; 'redis.replicas' must be 0"),
        ("name: a\nredis: {mode: sentinel, replicas: 6}\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1}\n", "t.yaml:2:35: error: Memorystore STANDARD_HA takes 1 to 5 replicas; 'redis.replicas' is 6"),
        ("name: a\ntargets:\n  compose: {file: ../../../victim.txt}\n", "t.yaml:3:19: error: 'targets.compose.file' must be a plain file name ending in .yml or .yaml (letters, digits, '.', '-', '_'), like docker-compose.redis.yml, not '../../../victim.txt'"),
        ("name: a\ntargets:\n  compose: {file: start.sh}\n", "t.yaml:3:19: error: 'targets.compose.file' must be a plain file name ending in .yml or .yaml (letters, digits, '.', '-', '_'), like docker-compose.redis.yml, not 'start.sh'"),
        ("name: a\ntargets:\n  compose: {file: docker-compose.clients.yml}\n", "t.yaml:3:19: error: 'targets.compose.file' must not be docker-compose.clients.yml: the generator writes the clients overlay there"),
        ("name: a\ntargets:\n  compose: {network: \"a b\"}\n", "t.yaml:3:22: error: 'targets.compose.network' must be a Docker network name (letters, digits, '.', '-', '_', starting with a letter or digit), not 'a b'"),
        // Names handed to shells, Terraform and Compose are names of their kind, nothing more.
        ("name: a\nauth:\n  password: {env: \"A-B;rm -rf /\"}\n", "t.yaml:3:19: error: 'env' must name an environment variable (letters, digits and '_', not starting with a digit), not 'A-B;rm -rf /'"),
        ("name: a\nauth: {password: {terraform_variable: \"a b\"}}\n", "t.yaml:2:39: error: 'terraform_variable' must be a Terraform variable name (letters, digits, '_' and '-', starting with a letter or '_'), not 'a b'"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws, kms_key_variable: \"${evil}\", at_rest_encryption: true}\n", "t.yaml:4:41: error: 'kms_key_variable' must be a Terraform variable name (letters, digits, '_' and '-', starting with a letter or '_'), not '${evil}'"),
        ("name: a\ntargets:\n  compose: {resources: {cpus: lots}}\n", "t.yaml:3:31: error: 'targets.compose.resources.cpus' must be a positive number of CPUs, like \"0.5\" or \"2\", not 'lots'"),
        ("name: a\ntargets:\n  compose: {resources: {cpus: \"-2\"}}\n", "t.yaml:3:31: error: 'targets.compose.resources.cpus' must be a positive number of CPUs, like \"0.5\" or \"2\", not '-2'"),
        ("name: a\ntls: {enabled: true, cert_file: a, key_file: b, ca_file: \"\"}\n", "t.yaml:2:58: error: 'tls.ca_file' must be a path (one line, not empty), not ''"),
        ("name: a\nauth:\n  users:\n    - {name: u, password: {secret_file: x}, keys: \"~a b\"}\n", "t.yaml:4:51: error: 'keys' of ACL user 'u' must be one key pattern without spaces, like \"~app:*\", not '~a b'"),
        ("name: a\nauth:\n  users:\n    - {name: u, password: {secret_file: x}}\n    - {name: u, password: {secret_file: y}}\n", "t.yaml:5:14: error: ACL user 'u' is defined twice (first at 4:14); Redis refuses to start with both"),
        ("name: a\nauth: {enabled: false}\nredis:\n  persistence: {appendonly: true}\n", "t.yaml:2:17: warning: auth is off: any client that reaches the port can read, write and reconfigure Redis"),
        ("name: a\nredis:\n  config: {enable-debug-command: \"yes\"}\n", "t.yaml:3:12: warning: 'redis.config.enable-debug-command' opens Redis to arbitrary code or memory access by any client that can send commands; leave it out unless you mean it"),
        ("name: a\ntls: {enabled: true, cert_file: a, key_file: b, ca_file: c, auth_clients: \"yes\"}\nclients: [{service: api}]\n", "t.yaml:2:75: error: 'tls.auth_clients: yes' needs a certificate for the clients: set 'tls.client_cert_file' and 'tls.client_key_file' (the servers' own key must not be handed to every client)"),
        ("name: a\nauth:\n  users:\n    - {name: u, password: {secret_file: x}, categories: [\"+@nonsense\", \"-@dangerus\"]}\n", "t.yaml:4:58: error: ACL category '@nonsense' of user 'u' is not one of Redis 7.0's"),
        ("name: a\nauth:\n  users:\n    - {name: u, password: {secret_file: x}, categories: [\"+@nonsense\", \"-@dangerus\"]}\n", "t.yaml:4:72: error: ACL category '@dangerus' of user 'u' is not one of Redis 7.0's; did you mean '@dangerous'?"),
        ("name: a\nauth:\n  users:\n    - {name: u, password: {secret_file: x}, categories: [\"+gett\", \"+config|gett\", \"+select|0\", \"-@all\"]}\n", "t.yaml:4:58: error: ACL rule '+gett' of user 'u' names a command Redis 7.0 does not have; did you mean 'get'?"),
        ("name: a\nauth:\n  users:\n    - {name: u, password: {secret_file: x}, categories: [\"+gett\", \"+config|gett\", \"+select|0\", \"-@all\"]}\n", "t.yaml:4:67: error: ACL rule '+config|gett' of user 'u' names a command Redis 7.0 does not have; did you mean 'config|get'?"),
        ("name: a\nauth:\n  users:\n    - {name: healthcheck, password: {secret_file: x}}\n", "t.yaml:4:14: error: ACL user 'healthcheck' is the deployment's own (the health check's user); name this user otherwise"),
        ("name: a\nredis: {mode: sentinel}\nsentinel: {password: {secret_file: ./secrets/redis-password}}\n", "t.yaml:3:36: error: 'sentinel.password' must be a secret of its own, not the default user's: the Sentinels hold it, and should not hold the password that may do everything"),
        ("name: a\nredis: {mode: sentinel}\nauth: {enabled: false}\nsentinel: {password: {secret_file: s}}\n", "t.yaml:4:36: warning: 'sentinel.password' is ignored: auth is off"),
        ("name: a\nredis: {mode: sentinel}\nauth: {password: {secret_file: p}}\ntargets: {compose: {}}\n", "t.yaml:3:32: warning: the Sentinels use the default user's password, on the nodes (where it may do everything) and for themselves; give them their own with 'sentinel.password: {secret_file: ./secrets/redis-sentinel-password}', and they get a 'sentinel' user that may only fail over"),
        ("name: a\nredis:\n  maxmemory: 1gb\n  min_replicas_to_write: 1\n  replicas: 1\n  disabled_commands: [KEYS]\n  config: {tcp-keepalive: \"60\", lfu-log-factor: \"10\"}\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:3:14: warning: 'redis.maxmemory' is not applied on ElastiCache: the node size decides the memory there"),
        ("name: a\nredis:\n  maxmemory: 1gb\n  min_replicas_to_write: 1\n  replicas: 1\n  disabled_commands: [KEYS]\n  config: {tcp-keepalive: \"60\", lfu-log-factor: \"10\"}\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:4:26: warning: 'redis.min_replicas_to_write' is not applied on ElastiCache: this module does not set it there; writes are not refused when replicas fall behind"),
        ("name: a\nredis:\n  maxmemory: 1gb\n  min_replicas_to_write: 1\n  replicas: 1\n  disabled_commands: [KEYS]\n  config: {tcp-keepalive: \"60\", lfu-log-factor: \"10\"}\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:6:23: warning: 'redis.disabled_commands' (KEYS) is not applied on ElastiCache: it has no rename-command"),
        ("name: a\nredis:\n  maxmemory: 1gb\n  min_replicas_to_write: 1\n  replicas: 1\n  disabled_commands: [KEYS]\n  config: {tcp-keepalive: \"60\", lfu-log-factor: \"10\"}\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:7:33: warning: 'redis.config.lfu-log-factor' is not applied on ElastiCache: it is not a setting ElastiCache takes from this module (it applies to Compose)"),
        ("name: a\nredis:\n  config: {tcp-keepalive: \"60\", lfu-log-factor: \"10\"}\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1}\n", "t.yaml:3:12: warning: 'redis.config.tcp-keepalive' is not applied on Memorystore: it is not a setting Memorystore takes from this module (it applies to Compose)"),
        ("name: a\nauth:\n  password: {terraform_variable: p}\n  users:\n    - {name: w, password: {secret_file: ./w}}\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:5:41: error: on ElastiCache the password of ACL user 'w' reaches Terraform as a variable: use {terraform_variable: <name>}"),
        ("name: a-rather-long-topology-name\nauth:\n  password: {terraform_variable: p}\n  users:\n    - {name: a-long-user-name, password: {terraform_variable: w}}\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:5:14: error: ElastiCache user id 'a-rather-long-topology-name-a-long-user-name' (the topology's name and the user's) is longer than 40 characters; shorten the user's name"),
        ("name: a\nredis:\n  disabled_commands: [NOSUCHCMD, FLUSHAL]\n", "t.yaml:3:23: error: 'redis.disabled_commands' names NOSUCHCMD, which Redis 7.0 does not have (as redis-server 7.0.15 lists its commands)"),
        ("name: a\nredis:\n  disabled_commands: [NOSUCHCMD, FLUSHAL]\n", "t.yaml:3:34: error: 'redis.disabled_commands' names FLUSHAL, which Redis 7.0 does not have (as redis-server 7.0.15 lists its commands); did you mean 'FLUSHALL'?"),
        ("name: a\nredis:\n  config: {maxclient: \"10\"}\n", "t.yaml:3:12: error: 'redis.config' directive 'maxclient' is not one of Redis 7.0's (as redis-server 7.0.15 lists them); Redis would refuse to start; did you mean 'maxclients'?"),
        ("name: a\nredis:\n  version: \"7.2\"\n  config: {maxclient: \"10\"}\n", "t.yaml:3:12: warning: no catalogue of Redis 7.2's commands, directives and ACL categories here (there is one for 7.0): 'disabled_commands', 'config' and ACL rules are checked for form only"),
        ("name: a\nauth:\n  users: [{name: worker, password: {secret_file: w}}]\nclients: [{service: api, user: wroker}]\n", "t.yaml:4:32: error: 'clients[].user' 'wroker' is not one of 'auth.users'; did you mean 'worker'?"),
        ("name: a\nhealthcheck: {start_interval: 1s}\ntargets:\n  compose: {}\n", "t.yaml:2:31: warning: 'healthcheck.start_interval' needs Docker Engine 25 or later; older engines refuse the whole project"),
        ("name: a\nredis: {mode: sentinel, replicas: 1}\ntargets:\n  compose: {}\n", "t.yaml:4:12: warning: every Sentinel and Redis node of this Compose deployment runs on one Docker host: it survives the loss of a container, not of the host"),
        ("name: a\nredis: {version: \"7.1\"}\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1}\n", "t.yaml:2:18: error: Memorystore has no Redis 7.1; use one of 6.2, 7.0, 7.2"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: gcp}\n", "t.yaml:4:7: error: a gcp target needs a 'region', like europe-west1"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: gcp, region: r, multi_az: x}\n", "t.yaml:4:34: error: 'multi_az' does not apply to provider gcp"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: azure}\n", "t.yaml:4:18: error: 'targets.terraform[].provider' must be one of aws, gcp; got 'azure'"),
        ("name: a\ntargets:\n  compose: {netwrok: x}\n", "t.yaml:3:13: error: unknown key 'netwrok' in 'targets.compose'; did you mean 'network'?"),
        ("name: a\nredis: {mode: sentinel}\nsentinel: {master_name: \"my master\"}\n", "t.yaml:3:25: error: 'sentinel.master_name' must be letters, digits, '-' or '_'"),
        ("name: a\nauth:\n  users:\n    - {name: u, password: {env: P}, categories: [\"@read\"]}\n", "t.yaml:4:50: error: ACL rule '@read' must start with '+' or '-', like \"+@read\" or \"-@dangerous\""),
        ("name: a\nauth:\n  users:\n    - {name: u, password: {env: P}, keys: \"app:*\"}\n", "t.yaml:4:43: error: 'keys' of ACL user 'u' must be a key pattern like \"~app:*\""),
        ("name: a\nauth:\n  users:\n    - {name: \"u u\", password: {env: P}}\n", "t.yaml:4:14: error: ACL user name 'u u' must be letters, digits, '-', '_' or '.'"),
        ("name: a\nredis:\n  disabled_commands: [\"FLUSH ALL\"]\n", "t.yaml:3:23: error: 'redis.disabled_commands' must list command names, not 'FLUSH ALL'"),
        ("name: a\nredis:\n  config: {Max_Clients: \"10\"}\n", "t.yaml:3:12: error: 'redis.config' directive 'Max_Clients' is not a Redis directive name (lower-case letters, digits, '-')"),
        ("name: a\nredis:\n  maxmemory_policy: allkeys-lr\n", "t.yaml:3:21: error: 'redis.maxmemory_policy' must be one of noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl; did you mean 'allkeys-lru'? got 'allkeys-lr'"),
        ("name: a\nredsi: {}\n", "t.yaml:2:1: error: unknown key 'redsi' in 'topology'; did you mean 'redis'?"),
        ("name: a\nredis: {mode: sentinel, replicas: 6}\ntargets:\n  terraform:\n    - {provider: aws, automatic_failover: yes}\n", "t.yaml:2:35: error: ElastiCache allows at most 5 replicas (6 nodes); 'redis.replicas' is 6"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws, engine_version: \"5.0\"}\n", "t.yaml:4:39: error: ElastiCache has no Redis 5.0: 'engine_version' must be one of 6.2, 7.0, 7.1 on ElastiCache"),
        // Unwritten, the engine version is the topology's: one ElastiCache lacks is refused there.
        ("name: a\nredis:\n  engine: valkey\n  version: \"9.0\"\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:4:12: error: ElastiCache has no Valkey 9.0: 'redis.version' must be one of 7.2, 8.0, 8.1 on ElastiCache"),
        ("name: a\nredis:\n  version: \"7.2\"\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:3:12: error: ElastiCache has no Redis 7.2: 'redis.version' must be one of 6.2, 7.0, 7.1 on ElastiCache"),
        // Memorystore for Valkey has no 8.1 (the Valkey default), is sized by node type, not memory.
        ("name: a\nredis:\n  engine: valkey\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1}\n", "t.yaml:3:3: error: Memorystore for Valkey has no Valkey 8.1: 'redis.version' must be one of 7.2, 8.0, 9.0 on GCP"),
        ("name: a\nredis:\n  engine: valkey\n  version: \"8.0\"\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1, memory_size_gb: 5}\n", "t.yaml:7:45: warning: 'memory_size_gb' is not used by Memorystore for Valkey: it is sized by 'node_type' and reached by private service connect"),
        ("name: a\nredis:\n  engine: valkey\n  version: \"8.0\"\n  mode: sentinel\n  replicas: 0\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1}\n", "t.yaml:6:13: error: Memorystore for Valkey fails over to 1 to 5 replicas; 'redis.replicas' is 0"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1, node_type: HIGHMEM_MEDIUM}\n", "t.yaml:4:45: error: 'node_type' is Memorystore for Valkey's node type; Memorystore for Redis is sized by 'memory_size_gb' (and 'cluster_node_type' for Redis Cluster)"),
        ("name: a\nmonitoring:\n  production_contexts: [api, \"a|b\"]\n", "t.yaml:3:30: error: 'monitoring.production_contexts' lists the factory's context labels (letters, digits, '.', '-', '_', starting with a letter), like api or embeddings-worker, not 'a|b'"),
        // Valkey is checked against Redis 7.0's catalogue, which it keeps whole: unknown is a warning.
        ("name: a\nredis:\n  engine: valkey\n  disabled_commands: [NOSUCHCMD]\n", "t.yaml:4:23: warning: 'redis.disabled_commands' names NOSUCHCMD, which Redis 7.0 does not have (as redis-server 7.0.15 lists its commands); Valkey 8.1 keeps all of Redis 7.0 and may have it: checked for form only"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws, maintenance_window: \"sunday 5am\"}\n", "t.yaml:4:43: error: 'maintenance_window' must be ddd:hh:mm-ddd:hh:mm, like sun:05:00-sun:06:00"),
        ("name: a\nauth:\n  users:\n    - {name: u, password: {env: P}}\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:4:33: error: on ElastiCache the password of ACL user 'u' reaches Terraform as a variable: use {terraform_variable: <name>}"),
        ("name: a\nauth:\n  enabled: false\n  users:\n    - {name: u, password: {terraform_variable: p}}\ntargets:\n  terraform:\n    - {provider: aws, transit_encryption: false}\n", "t.yaml:8:7: warning: ACL users are not generated for ElastiCache while auth is off"),
        ("name: a\nhealthcheck: {interval: 2s, timeout: 5s}\n", "t.yaml:2:38: error: 'healthcheck.timeout' must be shorter than 'healthcheck.interval'"),
        ("name: a\ntargets:\n  compose: {subnet: 10.0.0.0/16}\n", "t.yaml:3:21: error: 'targets.compose.subnet' must be an IPv4 /24 like 172.28.5.0/24, not '10.0.0.0/16'"),
        ("name: a\nauth: {password: {terraform_variable: t}}\ntargets:\n  compose: {}\n", "t.yaml:2:39: error: a Compose deployment cannot read a Terraform variable; use 'secret_file' for this secret"),
        ("name: a\nauth: {password: {env: P}}\ntargets:\n  compose: {}\n", "t.yaml:2:24: error: a Compose deployment cannot take a secret from the environment ('P'): its containers are read-only and Compose can mount only file secrets into them; write the value to a file readable by uid 999 and use {secret_file: ./secrets/<name>}"),
        ("name: a\nredis: {version: \"7.1\"}\ntargets:\n  compose: {}\n", "t.yaml:2:18: error: there is no redis:7.1 image for a Compose deployment; use one of 6.2, 7.0, 7.2"),
        ("name: a\nredis:\n  disabled_commands: [config]\n", "t.yaml:3:23: error: 'redis.disabled_commands' must not disable CONFIG: the health check, Sentinel or Cluster uses it"),
        ("name: a\nhealthcheck: {start_interval: fast}\n", "t.yaml:2:31: error: 'healthcheck.start_interval' must be a duration like 500ms, 5s, 1m or 2h, not 'fast'"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: aws}\n    - {provider: aws}\n", "t.yaml:5:7: error: a second aws target (first at 4:7); both would write terraform/a/aws/"),
        ("name: a\nredis:\n  persistence: {appendonly: true, save: [\"60 100\"]}\ntargets:\n  terraform:\n    - {provider: aws, snapshot_retention: 0}\n", "t.yaml:3:16: warning: 'redis.persistence' is not applied on ElastiCache: it keeps data by replicas and daily snapshots ('snapshot_retention', 'snapshot_window'), not by AOF or save rules"),
        ("name: a\nredis:\n  persistence: {appendonly: true, save: [\"60 100\"]}\ntargets:\n  terraform:\n    - {provider: aws, snapshot_retention: 0}\n", "t.yaml:6:43: warning: 'snapshot_retention: 0' keeps no snapshots on ElastiCache: a lost group loses its data, although the topology persists it"),
        ("name: a\nredis:\n  mode: sentinel\n  replicas: 1\n  persistence: {appendonly: true, save: [\"60 100\"]}\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1, memory_size_gb: 4}\n", "t.yaml:5:29: warning: 'redis.persistence.appendonly' is not applied on Memorystore: it keeps RDB snapshots only (ONE_HOUR), no AOF"),
        ("name: a\nredis:\n  mode: sentinel\n  replicas: 1\n  persistence: {appendonly: true, save: [\"60 100\"]}\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1, memory_size_gb: 4}\n", "t.yaml:5:42: warning: 'redis.persistence.save' snapshots every 60 s, but Memorystore snapshots at most hourly (ONE_HOUR)"),
        ("name: a\nredis:\n  mode: sentinel\n  replicas: 1\n  persistence: {appendonly: true, save: [\"60 100\"]}\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1, memory_size_gb: 4}\n", "t.yaml:8:61: error: Memorystore serves read replicas only from instances of 5 GB or more; 'memory_size_gb' is 4"),
        ("name: a\nauth:\n  enabled: false\ntargets:\n  terraform:\n    - {provider: aws, auth_token_source: generated}\n", "t.yaml:6:42: error: 'auth_token_source: generated' needs an auth token: auth on and 'transit_encryption: true'"),
        ("name: a\nauth:\n  password: {terraform_variable: p}\n  users: [{name: w, password: {terraform_variable: w}}]\ntargets:\n  terraform:\n    - {provider: aws, auth_token_source: secrets_manager}\n", "t.yaml:7:42: error: 'auth_token_source: secrets_manager' applies to the auth token, and ACL users make it ElastiCache RBAC (no auth token): their passwords are variables"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1, kms_key_variable: \"a b\", connect_mode: psa}\n", "t.yaml:4:63: error: 'kms_key_variable' must be a Terraform variable name (letters, digits, '_' and '-', starting with a letter or '_'), not 'a b'"),
        ("name: a\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1, kms_key_variable: \"a b\", connect_mode: psa}\n", "t.yaml:4:84: error: 'targets.terraform[].connect_mode' must be one of direct_peering, private_service_access; got 'psa'"),
        ("name: a\nredis:\n  mode: cluster\n  replicas: 2\n  min_replicas_to_write: 2\n  port: 60000\ncluster:\n  shards: 2\n  replicas_per_shard: 1\n  node_timeout: 50ms\nsentinel:\n  count: 3\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:4:13: error: 'redis.replicas' does not apply to cluster mode: set 'cluster.replicas_per_shard'"),
        ("name: a\nredis:\n  mode: cluster\n  replicas: 2\n  min_replicas_to_write: 2\n  port: 60000\ncluster:\n  shards: 2\n  replicas_per_shard: 1\n  node_timeout: 50ms\nsentinel:\n  count: 3\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:5:26: error: 'redis.min_replicas_to_write' is 2 but there are only 1 replicas per shard; the master would refuse every write"),
        ("name: a\nredis:\n  mode: cluster\n  replicas: 2\n  min_replicas_to_write: 2\n  port: 60000\ncluster:\n  shards: 2\n  replicas_per_shard: 1\n  node_timeout: 50ms\nsentinel:\n  count: 3\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:6:9: error: the cluster bus listens on 'redis.port' + 10000 = 70000, above 65535: set 'cluster.bus_port'"),
        ("name: a\nredis:\n  mode: cluster\n  replicas: 2\n  min_replicas_to_write: 2\n  port: 60000\ncluster:\n  shards: 2\n  replicas_per_shard: 1\n  node_timeout: 50ms\nsentinel:\n  count: 3\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:8:11: error: 'cluster.shards' is 2; Redis Cluster needs at least 3 masters (a majority of them must agree to fail one over)"),
        ("name: a\nredis:\n  mode: cluster\n  replicas: 2\n  min_replicas_to_write: 2\n  port: 60000\ncluster:\n  shards: 2\n  replicas_per_shard: 1\n  node_timeout: 50ms\nsentinel:\n  count: 3\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:10:17: error: 'cluster.node_timeout' must be at least 100ms; shorter, a busy node is flagged failed and its replica promoted"),
        ("name: a\nredis:\n  mode: cluster\n  replicas: 2\n  min_replicas_to_write: 2\n  port: 60000\ncluster:\n  shards: 2\n  replicas_per_shard: 1\n  node_timeout: 50ms\nsentinel:\n  count: 3\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:12:10: error: the 'sentinel' section does not apply to cluster mode: a cluster's masters detect failures and promote replicas themselves"),
        ("name: a\nredis:\n  mode: cluster\n  replicas: 2\n  min_replicas_to_write: 2\n  port: 60000\ncluster:\n  shards: 2\n  replicas_per_shard: 1\n  node_timeout: 50ms\nsentinel:\n  count: 3\ntargets:\n  terraform:\n    - {provider: aws}\n", "t.yaml:15:7: error: ElastiCache runs cluster mode only with automatic failover: set 'automatic_failover: true'"),
        ("name: a\nredis:\n  mode: cluster\ncluster: {bus_port: 6379, replicas_per_shard: 0}\n", "t.yaml:4:21: error: 'cluster.bus_port' 6379 collides with 'redis.port'"),
        ("name: a\nredis:\n  mode: cluster\ncluster: {bus_port: 6379, replicas_per_shard: 0}\n", "t.yaml:4:47: warning: 'cluster.replicas_per_shard' is 0: losing one master loses its slots (and with 'require_full_coverage' the whole cluster)"),
        ("name: a\ncluster: {shards: 3}\nredis:\n  disabled_commands: [CLUSTER]\n", "t.yaml:2:19: warning: the 'cluster' section is ignored: 'redis.mode' is standalone"),
        ("name: a\ncluster: {shards: 3}\nredis:\n  disabled_commands: [CLUSTER]\n", "t.yaml:4:23: error: 'redis.disabled_commands' must not disable CLUSTER: the health check, Sentinel or Cluster uses it"),

        ("name: a\nredis: {mode: cluster}\ncluster: {node_timeout: 2s, bus_port: 17000}\ntargets:\n  terraform:\n    - {provider: aws, automatic_failover: true}\n", "t.yaml:3:25: warning: 'cluster.node_timeout' is not applied on ElastiCache: the service sets it for its cluster mode"),
        ("name: a\nredis: {mode: cluster}\ncluster: {replicas_per_shard: 3}\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1}\n", "t.yaml:3:31: error: Memorystore for Redis Cluster takes 0 to 2 replicas per shard; 'cluster.replicas_per_shard' is 3"),
        ("name: a\nhealthcheck: {interval: soon}\n", "t.yaml:2:25: error: 'healthcheck.interval' must be a duration like 500ms, 5s, 1m or 2h, not 'soon'"),
    ])
    func ruleIsReportedAtItsNode(input: String, expected: String) {
        let found = diagnostics(input)
        #expect(found.contains(expected), "\(found)")
    }

    @Test func literalPasswordIsNeverEchoed() {
        #expect(!diagnostics("name: a\nauth:\n  password: hunter2\n").joined().contains("hunter2"))
    }

    @Test func everyProblemIsReportedSortedByPosition() {
        let found = diagnostics("name: a\nredis:\n  prot: 1\n  mode: sentinal\nhealthcheck: {interval: soon}\n")
        #expect(found.count == 3)
        let lines = found.map { Int($0.split(separator: ":")[1])! }
        #expect(lines == [3, 4, 5])
    }

    @Test func examplesValidateClean() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../topologies")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 2)
        for file in files {
            let collector = DiagnosticsCollector()
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
            #expect(TopologyLoading.load(bytes, file: file, diagnostics: collector, targets: Generator.targetReaders) != nil)
            // A Sentinel example on Compose is warned that one Docker host is one failure
            // domain; nothing else may be said of an example.
            let unexpected = collector.diagnostics.filter { !$0.message.hasSuffix("of this Compose deployment runs on one Docker host: it survives the loss of a container, not of the host") }
            #expect(unexpected.isEmpty, "\(file): \(collector.sorted)")
        }
    }

    /// docs/topology.md documents exactly the keys the reader accepts.
    @Test func documentationMatchesTheSchema() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/topology.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let documented = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return String(line.dropFirst(3).prefix { $0 != "`" })
        })
        #expect(documented == TopologySchema.allPaths(with: Generator.targetReaders))
    }
}
