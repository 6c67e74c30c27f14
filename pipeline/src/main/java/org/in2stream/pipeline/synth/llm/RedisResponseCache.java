package org.in2stream.pipeline.synth.llm;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * The networked store for a cluster: every worker reads and writes the same Redis. A put returns
 * once Redis has acknowledged the write; how durable that is depends on the server's persistence
 * settings (use {@code appendonly yes} with {@code appendfsync everysec} or stricter, or a replay after
 * a Redis restart calls the model again). A password, if needed, comes from the environment variable
 * {@value #PASSWORD_ENV} on each worker, never from the cache URL, which is an option and visible.
 */
public final class RedisResponseCache implements ResponseCache {
  public static final String PASSWORD_ENV = "IN2_LLM_CACHE_PASSWORD";
  static final String PREFIX = "in2:llm:";

  private final JedisPooled redis;
  private final String description;

  /** {@code redis://host:port[/db]}. */
  public RedisResponseCache(String spec) {
    URI uri = parse(spec);
    int db = database(uri);
    String password = System.getenv(PASSWORD_ENV);
    this.redis = new JedisPooled(new HostAndPort(uri.getHost(), uri.getPort()),
        DefaultJedisClientConfig.builder().database(db).timeoutMillis(10_000)
            .password(password == null || password.isEmpty() ? null : password).build());
    this.description = "redis://" + uri.getHost() + ":" + uri.getPort() + "/" + db;
    redis.ping();
  }

  static URI parse(String spec) {
    URI uri;
    try {
      uri = URI.create(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--llmCache=" + spec + " is not a redis:// URL");
    }
    if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("--llmCache=" + spec + " must look like "
          + "redis://host:port or redis://host:port/db");
    }
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException("--llmCache must not carry a password (options are "
          + "visible); set " + PASSWORD_ENV + " on the workers instead");
    }
    database(uri);
    return uri;
  }

  private static int database(URI uri) {
    String path = uri.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return 0;
    }
    try {
      return Integer.parseInt(path.substring(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the database in --llmCache=" + uri + " must be a number");
    }
  }

  private static byte[] key(String requestKey) {
    return (PREFIX + requestKey).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Optional<byte[]> get(String requestKey) {
    return Optional.ofNullable(redis.get(key(requestKey)));
  }

  @Override
  public void put(String requestKey, byte[] body) {
    redis.set(key(requestKey), body);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    redis.close();
  }
}
