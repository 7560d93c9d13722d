"""What each kind of Sock Shop container prints: start-up, steady traffic, trouble and last words.

A family is chosen from the image repository (`weaveworksdemos/catalogue` -> go-kit, `mongo` ->
mongod ...). Each one knows its own line format (go-kit logfmt, Spring Boot, ...) and supplies
messages; `_logs` decides when they happen and which lines a request returns. This module holds
the base `Family` and the application services; the data stores are in `_logstores`. All
randomness comes from the `random.Random` the caller passes, so a pod's log never changes between
reads.

Messages are (level, text) pairs; `line()` stamps them in the family's format, and a text may span
several lines (stack traces, RabbitMQ reports), which the caller splits.
"""

from __future__ import annotations

import logging
import random
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from ..store import rfc3339, rfc3339_nano

logger = logging.getLogger(__name__)

Message = tuple[str, str]
BootMessage = tuple[float, str, str]


@dataclass(frozen=True)
class LogContext:
    """The facts about one container that its log lines mention."""

    pod: str
    container: str
    service: str
    version: str
    pod_ip: str
    env: dict[str, str] = field(default_factory=dict)


def service_ip(service: str) -> str:
    """A stable ClusterIP-looking address for a Service name, so one dependency keeps one address."""
    digest = zlib.crc32(service.encode())
    return f"10.96.{digest % 256}.{(digest >> 8) % 254 + 1}"


def client_ip(rng: random.Random) -> str:
    """A pod address in the cluster's pod network, for the peers a log line mentions."""
    return f"10.244.0.{rng.randint(2, 60)}"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _object_id(rng: random.Random) -> str:
    """A MongoDB ObjectId, the id format of Sock Shop's customers, carts and orders."""
    return f"{rng.getrandbits(96):024x}"


def _took(rng: random.Random, slow: bool = False) -> str:
    if slow:
        return f"{rng.uniform(1.0, 5.0):.6f}s"
    return f"{rng.uniform(0.4, 9.0):.6f}ms" if rng.random() < 0.9 else f"{rng.randint(20, 900)}.{rng.randint(0, 999)}µs"


class Family:
    """A generic process: logrus-style lines, a heartbeat now and then."""

    slot = 30.0
    """Seconds of steady operation each deterministic slot of lines covers."""
    boot_span = 2.0
    """Seconds from container start to the end of the start-up lines."""
    default_version = "1.0.0"
    """The version the lines mention when the image tag is not a version ("latest", "alpine")."""

    def line(self, ctx: LogContext, moment: datetime, level: str, text: str) -> str:
        return f'time="{rfc3339(moment)}" level={level} {text}'

    def boot(self, ctx: LogContext, rng: random.Random) -> list[BootMessage]:
        return [
            (0.0, "info", f'msg="Starting {ctx.container}" version={ctx.version}'),
            (1.0, "info", f'msg="Listening" pod={ctx.pod} address={ctx.pod_ip}'),
        ]

    def steady(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        if rng.random() < 0.3:
            return [("info", f'msg="heartbeat ok" connections={rng.randint(0, 8)}')]
        return []

    def trouble(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        return [("error", f'msg="request failed" err="dial tcp {client_ip(rng)}:80: connect: connection refused"')]

    def last_words(self, ctx: LogContext, reason: str) -> list[Message]:
        if reason == "Completed":
            return [("info", 'msg="received terminated signal, shutting down"')]
        if reason == "Error":
            return [("fatal", 'msg="exiting" err="unrecoverable error, see previous messages"')]
        return []


# --- Go services (go-kit) ------------------------------------------------------------------------

_GO_BOOT = {
    "catalogue": [
        (0.0, 'caller=main.go:61 msg="connecting to database" dsn="catalogue_user@tcp(catalogue-db:3306)/socksdb"'),
        (0.4, "caller=main.go:92 transport=HTTP port=80"),
    ],
    "payment": [
        (0.0, 'caller=main.go:49 msg="payment gateway" decline=100'),
        (0.2, "caller=main.go:82 transport=HTTP port=80"),
    ],
    "user": [
        (0.0, 'caller=main.go:74 msg="connecting to mongo" mongo=user-db:27017'),
        (0.5, "caller=main.go:99 transport=HTTP port=80"),
    ],
}
_GO_DEPENDENCY = {"catalogue": "catalogue-db:3306", "user": "user-db:27017", "payment": ""}


class GoKit(Family):
    """catalogue, payment, user: go-kit logfmt lines, one per call including kubelet's health probes."""

    slot = 3.0
    boot_span = 1.0

    def line(self, ctx: LogContext, moment: datetime, level: str, text: str) -> str:
        if level == "raw":
            return text
        prefix = f"ts={rfc3339_nano(moment)}"
        return f"{prefix} level={level} {text}" if level in ("error", "warn") else f"{prefix} {text}"

    def boot(self, ctx: LogContext, rng: random.Random) -> list[BootMessage]:
        return [(offset, "info", text) for offset, text in _GO_BOOT.get(ctx.service, _GO_BOOT["payment"])]

    def _call(self, ctx: LogContext, rng: random.Random, err: str | None) -> str:
        error = f'"{err}"' if err else "null"
        took = _took(rng, slow=err is not None)
        if ctx.service == "catalogue":
            return rng.choice(
                [
                    f"caller=logging.go:32 method=List tags= order=id pageNum=1 pageSize={rng.choice([5, 6, 9])} "
                    f"result={0 if err else rng.choice([5, 6, 9])} err={error} took={took}",
                    f"caller=logging.go:43 method=Count tags= result={0 if err else 9} err={error} took={took}",
                    f"caller=logging.go:51 method=Get id={_uuid(rng)} err={error} took={took}",
                    f"caller=logging.go:62 method=Tags result={0 if err else 12} err={error} took={took}",
                ]
            )
        if ctx.service == "user":
            line, method = rng.choice([(59, "GetUsers"), (82, "GetAddresses"), (104, "GetCards")])
            if rng.random() < 0.3:
                return f"caller=logging.go:38 method=Login username=user err={error} took={took}"
            found = 0 if err else 1
            ident = _object_id(rng)
            return f"caller=logging.go:{line} method={method} id={ident} result={found} err={error} took={took}"
        amount = rng.choice(["11.99", "18.00", "45.99", "104.98", "17.32"])
        authorised = "false" if err or float(amount) > 100 else "true"
        return f"caller=logging.go:28 method=Authorise amount={amount} result={authorised} err={error} took={took}"

    def steady(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        lines = [("info", f"caller=logging.go:79 method=Health result=2 took={_took(rng)}")]
        lines += [("info", self._call(ctx, rng, None)) for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))]
        return lines

    def _dependency_error(self, ctx: LogContext, rng: random.Random) -> str:
        dependency = _GO_DEPENDENCY.get(ctx.service, "")
        if ctx.service == "user":
            return "no reachable servers"
        if dependency:
            host = dependency.split(":")[0]
            return rng.choice(
                [
                    f"dial tcp: lookup {host}: connection refused",
                    f"dial tcp {service_ip(host)}:{dependency.split(':')[1]}: connect: connection refused",
                ]
            )
        return "context deadline exceeded"

    def trouble(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        err = self._dependency_error(ctx, rng)
        lines = [
            ("info", self._call(ctx, rng, err)),
            ("error", f'caller=logging.go:79 method=Health result=1 err="{err}" took={_took(rng, slow=True)}'),
        ]
        if rng.random() < 0.3:
            took = _took(rng, slow=True)
            timeout = f'caller=logging.go:79 method=Health result=1 err="health check timed out" took={took}'
            lines.append(("error", timeout))
        return lines

    def last_words(self, ctx: LogContext, reason: str) -> list[Message]:
        if reason == "OOMKilled":
            return [("raw", "fatal error: runtime: out of memory\n\nruntime stack:\nruntime.throw(0x9c8f54, 0x16)")]
        if reason == "Error":
            dependency = _GO_DEPENDENCY.get(ctx.service) or "0.0.0.0:80"
            return [("error", f'caller=main.go:112 exit="dial tcp {dependency}: connect: connection refused"')]
        if reason == "Completed":
            return [("info", 'caller=main.go:118 exit="received signal terminated"')]
        return []


# --- front-end (Node.js / express) ---------------------------------------------------------------

_FRONT_END_PATHS = [
    "/",
    "/index.html",
    "/category.html",
    "/basket.html",
    "/catalogue?size=5",
    "/catalogue?page=1&size=6&tags=",
    "/catalogue/size?tags=",
    "/tags",
    "/cart",
    "/login",
    "/customers/{id}",
    "/card",
    "/address",
    "/orders",
]


class FrontEnd(Family):
    """front-end: express request lines (method, path, status, time, size); no timestamps of its own."""

    slot = 5.0
    boot_span = 3.0

    def line(self, ctx: LogContext, moment: datetime, level: str, text: str) -> str:
        return text

    def boot(self, ctx: LogContext, rng: random.Random) -> list[BootMessage]:
        manager = "redis" if ctx.env.get("SESSION_REDIS") else "local"
        return [
            (0.0, "info", "npm info it worked if it ends with ok"),
            (0.1, "info", "npm info using npm@2.15.11\nnpm info using node@v4.8.0"),
            (0.2, "info", f"npm info lifecycle microservices-demo-front-end@{ctx.version}~start"),
            (2.5, "info", f"Using {manager} session manager"),
            (2.9, "info", "App now running in production mode on port 8079"),
        ]

    def _request(self, rng: random.Random, status: int | None = None) -> str:
        path = rng.choice(_FRONT_END_PATHS).replace("{id}", _object_id(rng))
        method = "POST" if path in ("/cart", "/orders") and rng.random() < 0.4 else "GET"
        code = status or (200 if rng.random() < 0.97 else rng.choice([401, 404]))
        millis = rng.uniform(2000, 5000) if status else rng.uniform(1.5, 60)
        return f"{method} {path} {code} {millis:.3f} ms - {rng.randint(2, 9000) if code == 200 else 21}"

    def steady(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        return [("info", self._request(rng)) for _ in range(rng.choice([0, 1, 1, 2, 3]))]

    def trouble(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        ip = service_ip(rng.choice(["catalogue", "carts", "orders", "user", "payment"]))
        return [
            (
                "error",
                f"Error: connect ECONNREFUSED {ip}:80\n    at Object.exports._errnoException (util.js:1020:11)\n"
                "    at TCPConnectWrap.afterConnect [as oncomplete] (net.js:1080:14)",
            ),
            ("info", self._request(rng, status=500)),
        ]

    def last_words(self, ctx: LogContext, reason: str) -> list[Message]:
        if reason == "OOMKilled":
            return [
                ("info", "<--- Last few GCs --->"),
                ("info", "FATAL ERROR: CALL_AND_RETRY_LAST Allocation failed - JavaScript heap out of memory"),
            ]
        if reason == "Error":
            return [
                ("info", "events.js:160\n      throw er; // Unhandled 'error' event\n      ^"),
                ("info", "Error: Redis connection to session-db:6379 failed - connect ECONNREFUSED"),
                ("info", "npm ERR! code ELIFECYCLE\nnpm ERR! errno 1"),
            ]
        if reason == "Completed":
            return [("info", f"npm info lifecycle microservices-demo-front-end@{ctx.version}~start: SIGTERM")]
        return []


# --- Java services (Spring Boot) -----------------------------------------------------------------

_SPRING_APPS = {
    "carts": ("works.weave.socks.cart.CartApplication", "carts-db"),
    "orders": ("works.weave.socks.orders.OrderApplication", "orders-db"),
    "shipping": ("works.weave.socks.shipping.ShippingServiceApplication", "rabbitmq"),
    "queue-master": ("works.weave.socks.queuemaster.QueueMasterApplication", "rabbitmq"),
}
_SPRING_BANNER = r"""
  .   ____          _            __ _ _
 /\\ / ___'_ __ _ _(_)_ __  __ _ \ \ \ \
( ( )\___ | '_ | '_| | '_ \/ _` | \ \ \ \
 \\/  ___)| |_)| | | | | || (_| |  ) ) ) )
  '  |____| .__|_| |_|_| |_\__, | / / / /
 =========|_|==============|___/=/_/_/_/
 :: Spring Boot ::        (v1.4.0.RELEASE)
"""
_SPRING_STEADY = {
    "carts": ("w.w.s.cart.controllers.ItemsController", "Adding item to cart: {id}"),
    "orders": ("w.w.s.o.controllers.OrdersController", "Created order: {id}"),
    "shipping": ("w.w.s.s.controllers.ShippingController", "Adding shipment to queue: {id}"),
    "queue-master": ("w.w.s.queuemaster.ShippingTaskHandler", "Received shipment task: {id}"),
}
_TOMCAT = "s.b.c.e.t.TomcatEmbeddedServletContainer"
_REFUSED = "java.net.ConnectException: Connection refused (Connection refused)"


def _spring(thread: str, logger_name: str, message: str) -> str:
    """A Spring message as "<thread>@<logger>|<text>", which `SpringBoot.line` lays out."""
    return f"{thread}@{logger_name}|{message}"


def _mongo_monitor(rng: random.Random, dependency: str) -> str:
    return f"cluster-ClusterId{{value='{_object_id(rng)}', description='null'}}-{dependency}:27017"


class SpringBoot(Family):
    """carts, orders, shipping, queue-master: a slow JVM start-up, then sparse application lines."""

    slot = 10.0
    boot_span = 45.0

    def line(self, ctx: LogContext, moment: datetime, level: str, text: str) -> str:
        if level == "raw":
            return text
        source, _, message = text.partition("|")
        thread, _, name = source.partition("@")
        stamp = moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        where = f"[{thread[-15:]:>15}] {name[-40:]:<40}"
        return f"{stamp} {level.upper():>5} [{ctx.service},,,] 1 --- {where} : {message}"

    def _connect(self, rng: random.Random, dependency: str, started: float) -> list[BootMessage]:
        if dependency == "rabbitmq":
            connection = (
                f"Created new connection: SimpleConnection@{rng.getrandbits(28):x} "
                f"[delegate=amqp://guest@rabbitmq:5672/, localPort= {rng.randint(32768, 60999)}]"
            )
            return [(started - 6.0, "info", _spring("main", "o.s.a.r.c.CachingConnectionFactory", connection))]
        cluster = (
            f"Cluster created with settings {{hosts=[{dependency}:27017], mode=SINGLE, "
            "requiredClusterType=UNKNOWN, serverSelectionTimeout='30000 ms', maxWaitQueueSize=500}"
        )
        opened = (
            f"Opened connection [connectionId{{localValue:1, serverValue:{rng.randint(2, 40)}}}] to {dependency}:27017"
        )
        return [
            (started - 12.0, "info", _spring("main", "org.mongodb.driver.cluster", cluster)),
            (started - 11.0, "info", _spring(_mongo_monitor(rng, dependency), "org.mongodb.driver.connection", opened)),
        ]

    def boot(self, ctx: LogContext, rng: random.Random) -> list[BootMessage]:
        main, dependency = _SPRING_APPS.get(ctx.service, _SPRING_APPS["carts"])
        short = main.rsplit(".", 1)[-1]
        started = self.boot_span - rng.uniform(2.0, 5.0)
        starting = (
            f"Starting {short} v{ctx.version} on {ctx.pod} with PID 1 "
            "(/usr/src/app/app.jar started by myuser in /usr/src/app)"
        )
        ready = f"Started {short} in {started:.3f} seconds (JVM running for {started + 2.4:.3f})"
        return [
            (0.0, "raw", _SPRING_BANNER.strip("\n")),
            (1.2, "info", _spring("main", main, starting)),
            (1.3, "info", _spring("main", main, "No active profile set, falling back to default profiles: default")),
            (12.0, "info", _spring("main", _TOMCAT, "Tomcat initialized with port(s): 80 (http)")),
            (12.4, "info", _spring("main", "o.apache.catalina.core.StandardService", "Starting service Tomcat")),
            *self._connect(rng, dependency, started),
            (started - 0.5, "info", _spring("main", _TOMCAT, "Tomcat started on port(s): 80 (http)")),
            (started, "info", _spring("main", main, ready)),
        ]

    def steady(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        if rng.random() >= 0.3:
            return []
        name, template = _SPRING_STEADY.get(ctx.service, _SPRING_STEADY["carts"])
        thread = f"http-nio-80-exec-{rng.randint(1, 10)}"
        return [("info", _spring(thread, name, template.format(id=_object_id(rng))))]

    def trouble(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        _, dependency = _SPRING_APPS.get(ctx.service, _SPRING_APPS["carts"])
        if dependency == "rabbitmq":
            consumer = (
                "Consumer raised exception, processing can restart if the connection factory supports it. "
                f"Exception summary: org.springframework.amqp.AmqpConnectException: {_REFUSED}"
            )
            listener = "o.s.a.r.l.SimpleMessageListenerContainer"
            return [("warn", _spring("SimpleAsyncTaskExecutor-1", listener, consumer))]
        monitor = (
            f"Exception in monitor thread while connecting to server {dependency}:27017\n"
            "com.mongodb.MongoSocketOpenException: Exception opening socket\n"
            "\tat com.mongodb.connection.SocketStream.open(SocketStream.java:63)\n"
            f"Caused by: {_REFUSED}"
        )
        servlet = (
            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request "
            "processing failed; nested exception is org.springframework.dao.DataAccessResourceFailureException: "
            f"Timed out after 10000 ms while waiting to connect to {dependency}:27017]"
        )
        thread = f"http-nio-80-exec-{rng.randint(1, 10)}"
        return [
            ("info", _spring(_mongo_monitor(rng, dependency), "org.mongodb.driver.cluster", monitor)),
            ("error", _spring(thread, "o.a.c.c.C.[.[.[/].[dispatcherServlet]", servlet)),
        ]

    def last_words(self, ctx: LogContext, reason: str) -> list[Message]:
        main = _SPRING_APPS.get(ctx.service, _SPRING_APPS["carts"])[0]
        if reason == "OOMKilled":
            return [("raw", 'Exception in thread "http-nio-80-exec-4" java.lang.OutOfMemoryError: Java heap space')]
        if reason == "Error":
            failed = (
                "Application startup failed\norg.springframework.beans.factory.BeanCreationException: "
                f"Error creating bean; nested exception is {_REFUSED}"
            )
            return [("error", _spring("main", "o.s.boot.SpringApplication", failed))]
        if reason == "Completed":
            closing = (
                "Closing org.springframework.boot.context.embedded.AnnotationConfigEmbeddedWebApplicationContext: "
                "root of context hierarchy"
            )
            return [("info", _spring("Thread-3", main, closing))]
        return []


def image_name(image: str) -> tuple[str, str]:
    """The last path segment of an image's repository, and its tag ("latest" when none)."""
    repository = image.split("@", 1)[0]
    last = repository.rsplit("/", 1)[-1]
    name, _, tag = last.partition(":")
    return name, tag or "latest"
