# Starts a Spark standalone cluster on this machine for the bench/spark-* scripts (source it):
# a master and WORKERS workers of 1 core and WORKER_MEMORY each, separate JVMs on 127.0.0.1, run from
# the spark module's jars as from a Spark installation. After `start_standalone DIR`, $master is the
# master URL and $cluster_flags the driver's SPIKEBIT_JAVA_OPTS for it (plus $CLUSTER_JAVA_OPTS, e.g.
# -Dspark.executor.extraJavaOptions=-XX:+UseG1GC to replace the executors' JVM options); the
# cluster stops on exit.
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
pids=()

stop_standalone() {
  for pid in "${pids[@]}"; do
    pkill -KILL -P "$pid" 2>/dev/null || true   # the worker's executor
    kill -KILL "$pid" 2>/dev/null || true
  done
}

start_standalone() {
  local dir="$1" workers="${WORKERS:-2}" memory="${WORKER_MEMORY:-1g}"
  local lib="$root/spark/target/lib" sparklib="$root/spark/target/spark-lib"
  # Builds the command line and the spark module if their sources changed, so no timed run builds.
  "$root/spikebit" --version >/dev/null
  "$root/spikebit" infer --help --spark >/dev/null
  mkdir -p "$dir/spark-home/jars" "$dir/logs"
  # A Spark installation's jars/ folder: Spark and the libraries it shares with spikebit.
  ln -sf "$sparklib"/*.jar "$dir/spark-home/jars/"
  local j
  for j in "$lib"/*.jar; do
    case "$(basename "$j")" in spikebit-*) ;; *) ln -sf "$j" "$dir/spark-home/jars/" ;; esac
  done
  cat > "$dir/log4j2.properties" <<'LOG'
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
LOG
  local flags=(-XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow -Xmx256m
    "-Dlog4j2.configurationFile=$dir/log4j2.properties")
  local p
  for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
           java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.util.calendar; do
    flags+=("--add-opens=java.base/$p=ALL-UNNAMED")
  done
  export SPARK_HOME="$dir/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
  trap stop_standalone EXIT
  local port=$((20000 + RANDOM % 20000)) i
  "$java" "${flags[@]}" -cp "$dir/spark-home/jars/*" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port $((port + 1)) >"$dir/logs/master.log" 2>&1 &
  pids+=($!)
  until grep -q "elected leader" "$dir/logs/master.log"; do sleep 0.5; done
  for ((i = 0; i < workers; i++)); do
    "$java" "${flags[@]}" -cp "$dir/spark-home/jars/*" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores 1 --memory "$memory" --webui-port $((port + 2 + i)) --work-dir "$dir/work-$i" \
      "spark://127.0.0.1:$port" >"$dir/logs/worker-$i.log" 2>&1 &
    pids+=($!)
  done
  for ((i = 0; i < workers; i++)); do
    until grep -q "Successfully registered" "$dir/logs/worker-$i.log"; do sleep 0.5; done
  done
  master="spark://127.0.0.1:$port"
  # Executors as large as a worker: 1 core (so 1 kernel thread) and the worker's memory.
  cluster_flags="-Xmx1g -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 \
-Dspark.executor.memory=$memory -Dspark.executor.cores=1 ${CLUSTER_JAVA_OPTS:-}"
}
