"""JSON Schemas for the custom resources deploy/k8s uses, which kubernetes-validate does not ship
(it holds Kubernetes' own kinds only): KEDA's ScaledObject, the Prometheus Operator's
ServiceMonitor, cert-manager's Certificate and ClusterIssuer.

Each is the part of its project's CRD schema (keda.sh/v1alpha1, monitoring.coreos.com/v1,
cert-manager.io/v1) that covers the fields used here, written out by hand: the required fields,
the types, the enumerations, and no field the CRD does not have (`additionalProperties: false`
at every level spelled out), so a misspelt or misplaced field fails as it would on a cluster.
"""

from typing import Any

Schema = dict[str, Any]


def _object(properties: dict[str, Schema], *, required: tuple[str, ...] = ()) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_STRING: Schema = {"type": "string"}
_INTEGER: Schema = {"type": "integer"}
_STRING_MAP: Schema = {"type": "object", "additionalProperties": {"type": "string"}}
_METADATA: Schema = {
    "type": "object",
    "properties": {
        "name": _STRING,
        "namespace": _STRING,
        "labels": _STRING_MAP,
        "annotations": _STRING_MAP,
    },
    "required": ["name"],
}
_LABEL_SELECTOR: Schema = _object(
    {"matchLabels": _STRING_MAP, "matchExpressions": {"type": "array"}}
)
_SECRET_KEY: Schema = _object(
    {"name": _STRING, "key": _STRING, "optional": {"type": "boolean"}}, required=("key",)
)
_DURATION: Schema = {"type": "string", "pattern": r"^(0|([0-9]+(\.[0-9]+)?(ms|s|m|h))+)$"}


def _resource(api_version: str, kind: str, spec: Schema) -> Schema:
    return _object(
        {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": _METADATA,
            "spec": spec,
        },
        required=("apiVersion", "kind", "metadata", "spec"),
    )


# KEDA 2.x: the Redis list scaler's metadata (keda.sh/docs/2.16/scalers/redis-lists/).
_REDIS_TRIGGER_METADATA: Schema = _object(
    {
        "address": _STRING,
        "addressFromEnv": _STRING,
        "host": _STRING,
        "hostFromEnv": _STRING,
        "port": _STRING,
        "portFromEnv": _STRING,
        "passwordFromEnv": _STRING,
        "usernameFromEnv": _STRING,
        "databaseIndex": {"type": "string", "pattern": r"^[0-9]+$"},
        "listName": _STRING,
        "listLength": {"type": "string", "pattern": r"^[0-9]+$"},
        "activationListLength": {"type": "string", "pattern": r"^[0-9]+$"},
        "enableTLS": {"enum": ["true", "false"]},
        "unsafeSsl": {"enum": ["true", "false"]},
    },
    required=("listName",),
)

SCALED_OBJECT = _resource(
    "keda.sh/v1alpha1",
    "ScaledObject",
    _object(
        {
            "scaleTargetRef": _object(
                {
                    "apiVersion": _STRING,
                    "kind": _STRING,
                    "name": _STRING,
                    "envSourceContainerName": _STRING,
                },
                required=("name",),
            ),
            "minReplicaCount": _INTEGER,
            "maxReplicaCount": _INTEGER,
            "idleReplicaCount": _INTEGER,
            "pollingInterval": _INTEGER,
            "cooldownPeriod": _INTEGER,
            "triggers": {
                "type": "array",
                "minItems": 1,
                "items": _object(
                    {
                        "type": {"const": "redis"},
                        "name": _STRING,
                        "metadata": _REDIS_TRIGGER_METADATA,
                        "authenticationRef": _object(
                            {"name": _STRING, "kind": _STRING}, required=("name",)
                        ),
                    },
                    required=("type", "metadata"),
                ),
            },
        },
        required=("scaleTargetRef", "triggers"),
    ),
)

SERVICE_MONITOR = _resource(
    "monitoring.coreos.com/v1",
    "ServiceMonitor",
    _object(
        {
            "selector": _LABEL_SELECTOR,
            "namespaceSelector": _object(
                {"any": {"type": "boolean"}, "matchNames": {"type": "array"}}
            ),
            "endpoints": {
                "type": "array",
                "minItems": 1,
                "items": _object(
                    {
                        "port": _STRING,
                        "path": {"type": "string", "pattern": "^/"},
                        "scheme": {"enum": ["http", "https"]},
                        "interval": _DURATION,
                        "scrapeTimeout": _DURATION,
                        "authorization": _object(
                            {"type": _STRING, "credentials": _SECRET_KEY}, required=("credentials",)
                        ),
                    },
                    required=("port",),
                ),
            },
        },
        required=("selector", "endpoints"),
    ),
)

_ISSUER_REF: Schema = _object(
    {"name": _STRING, "kind": {"enum": ["Issuer", "ClusterIssuer"]}, "group": _STRING},
    required=("name",),
)

CERTIFICATE = _resource(
    "cert-manager.io/v1",
    "Certificate",
    _object(
        {
            "secretName": _STRING,
            "issuerRef": _ISSUER_REF,
            "dnsNames": {"type": "array", "minItems": 1, "items": _STRING},
            "duration": _DURATION,
            "renewBefore": _DURATION,
        },
        required=("secretName", "issuerRef"),
    ),
)

_SOLVER: Schema = _object(
    {
        "selector": _object(
            {
                "dnsZones": {"type": "array", "items": _STRING},
                "dnsNames": {"type": "array", "items": _STRING},
            }
        ),
        "http01": _object(
            {"ingress": _object({"ingressClassName": _STRING, "class": _STRING})},
            required=("ingress",),
        ),
        "dns01": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {
                "cloudflare": _object({"apiTokenSecretRef": _SECRET_KEY, "email": _STRING}),
                "route53": {"type": "object"},
                "rfc2136": {"type": "object"},
                "webhook": {"type": "object"},
                "acmeDNS": {"type": "object"},
                "clouddns": {"type": "object"},
                "azureDNS": {"type": "object"},
                "digitalocean": {"type": "object"},
                "akamai": {"type": "object"},
            },
            "additionalProperties": False,
        },
    },
)

CLUSTER_ISSUER = _resource(
    "cert-manager.io/v1",
    "ClusterIssuer",
    _object(
        {
            "acme": _object(
                {
                    "server": {"type": "string", "pattern": "^https://"},
                    "email": _STRING,
                    "privateKeySecretRef": _object(
                        {"name": _STRING, "key": _STRING}, required=("name",)
                    ),
                    "solvers": {"type": "array", "minItems": 1, "items": _SOLVER},
                },
                required=("server", "privateKeySecretRef", "solvers"),
            ),
        },
        required=("acme",),
    ),
)

BY_KIND: dict[tuple[str, str], Schema] = {
    ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR,
    ("cert-manager.io/v1", "Certificate"): CERTIFICATE,
    ("cert-manager.io/v1", "ClusterIssuer"): CLUSTER_ISSUER,
}
