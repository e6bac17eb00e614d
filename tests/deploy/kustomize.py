"""A small kustomize: renders deploy/k8s's kustomizations without a kustomize binary.

It does what those kustomizations use, as kustomize does it, and refuses anything else
(rather than render something kustomize would render otherwise): `resources` (files and
directories), `components`, `namespace`, `labels` (metadata and, when asked, pod templates),
`images` and `patches` given as JSON 6902 operations with a `target`. Where kubectl is on the
machine, tests/deploy/test_manifests.py renders the same overlays with `kubectl kustomize` and
compares the two.
"""

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonpatch
import yaml

Resource = dict[str, Any]

KNOWN_FIELDS = frozenset(
    {"apiVersion", "kind", "resources", "components", "namespace", "labels", "images", "patches"}
)
# Kubernetes' own kinds that live outside any namespace: `namespace` leaves them alone. Like
# kustomize, it knows no custom resource's scope (a ClusterIssuer would get the namespace), so
# cluster-wide custom resources live in a kustomization without `namespace` (deploy/k8s/cluster).
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PersistentVolume",
        "StorageClass",
        "IngressClass",
        "PriorityClass",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    }
)


class KustomizeError(ValueError):
    pass


def _load(directory: Path) -> dict[str, Any]:
    path = directory / "kustomization.yaml"
    if not path.is_file():
        raise KustomizeError(f"{directory}: no kustomization.yaml")
    spec = yaml.safe_load(path.read_text()) or {}
    unknown = set(spec) - KNOWN_FIELDS
    if unknown:
        raise KustomizeError(f"{path}: this renderer does not do {sorted(unknown)}")
    return spec


def _documents(path: Path) -> list[Resource]:
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    for doc in documents:
        if not isinstance(doc, dict) or "kind" not in doc or "metadata" not in doc:
            raise KustomizeError(f"{path}: a document without kind or metadata")
    return documents


def build(directory: Path, *, expect_kind: str = "Kustomization") -> list[Resource]:
    """The resources `directory`'s kustomization renders, in the order they are declared."""
    directory = directory.resolve()
    spec = _load(directory)
    kind = spec.get("kind", "Kustomization")
    if kind != expect_kind:
        raise KustomizeError(f"{directory}: a {kind} where a {expect_kind} is expected")
    resources = _resources(directory, spec)
    for entry in spec.get("components", []):
        resources = _component_apply(directory / entry, resources)
    _transform(directory, spec, resources)
    _unique(resources, directory)
    return resources


def _component_apply(directory: Path, resources: list[Resource]) -> list[Resource]:
    directory = directory.resolve()
    spec = _load(directory)
    if spec.get("kind") != "Component":
        raise KustomizeError(f"{directory}: listed under components but not a Component")
    combined = resources + _resources(directory, spec)
    _transform(directory, spec, combined)
    return combined


def _resources(directory: Path, spec: dict[str, Any]) -> list[Resource]:
    added: list[Resource] = []
    for entry in spec.get("resources", []):
        target = directory / entry
        added += build(target) if target.is_dir() else _documents(target)
    return added


def _transform(directory: Path, spec: dict[str, Any], resources: list[Resource]) -> None:
    for patch in spec.get("patches", []):
        _patch_apply(directory, patch, resources)
    if "namespace" in spec:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = spec["namespace"]
    for label in spec.get("labels", []):
        if label.get("includeSelectors"):
            raise KustomizeError(f"{directory}: labels with includeSelectors are not rendered")
        for resource in resources:
            resource["metadata"].setdefault("labels", {}).update(label["pairs"])
            if label.get("includeTemplates"):
                for template in _pod_templates(resource):
                    template.setdefault("metadata", {}).setdefault("labels", {}).update(
                        label["pairs"]
                    )
    for image in spec.get("images", []):
        for resource in resources:
            for container in _containers(resource):
                container["image"] = _image_renamed(container["image"], image)


def _matches(resource: Resource, target: dict[str, Any]) -> bool:
    unknown = set(target) - {"kind", "name", "group", "version"}
    if unknown:
        raise KustomizeError(f"patch targets by {sorted(unknown)} are not rendered")
    group, _, version = resource["apiVersion"].rpartition("/")
    return (
        target.get("kind", resource["kind"]) == resource["kind"]
        and target.get("name", resource["metadata"]["name"]) == resource["metadata"]["name"]
        and target.get("group", group) == group
        and target.get("version", version) == version
    )


def _patch_apply(directory: Path, patch: dict[str, Any], resources: list[Resource]) -> None:
    if "target" not in patch:
        raise KustomizeError(f"{directory}: a patch without a target (strategic merge)")
    text = (directory / patch["path"]).read_text() if "path" in patch else patch["patch"]
    operations = yaml.safe_load(text)
    if not isinstance(operations, list):
        raise KustomizeError(f"{directory}: only JSON 6902 patches (a list of operations)")
    matched = False
    for index, resource in enumerate(resources):
        if _matches(resource, patch["target"]):
            resources[index] = jsonpatch.apply_patch(resource, operations)
            matched = True
    if not matched:
        # kustomize renders nothing for a target that selects nothing; here that is a mistake.
        raise KustomizeError(f"{directory}: patch {patch} selects no resource")


def _pod_templates(resource: Resource) -> Iterator[dict[str, Any]]:
    spec = resource.get("spec", {})
    if "template" in spec:
        yield spec["template"]
    if "jobTemplate" in spec:
        yield spec["jobTemplate"]["spec"]["template"]


def _containers(resource: Resource) -> Iterator[dict[str, Any]]:
    pod_specs = [template.get("spec", {}) for template in _pod_templates(resource)]
    if resource["kind"] == "Pod":
        pod_specs.append(resource.get("spec", {}))
    for pod in pod_specs:
        yield from pod.get("initContainers", [])
        yield from pod.get("containers", [])


def _image_split(image: str) -> tuple[str, str]:
    """("registry/name", ":tag" or "@sha256:…" or "")."""
    if "@" in image:
        name, digest = image.split("@", 1)
        return name, "@" + digest
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon:]
    return image, ""


def _image_renamed(image: str, rule: dict[str, str]) -> str:
    name, suffix = _image_split(image)
    if name != rule["name"]:
        return image
    name = rule.get("newName", name)
    if "digest" in rule:
        suffix = "@" + rule["digest"]
    elif "newTag" in rule:
        suffix = ":" + str(rule["newTag"])
    return name + suffix


def _unique(resources: list[Resource], directory: Path) -> None:
    seen: set[tuple[str, str, str]] = set()
    for resource in resources:
        key = identity(resource)
        if key in seen:
            raise KustomizeError(f"{directory}: {key} is declared twice")
        seen.add(key)


def identity(resource: Resource) -> tuple[str, str, str]:
    metadata = resource["metadata"]
    return (resource["kind"], metadata.get("namespace", ""), metadata["name"])


def render(directory: Path) -> list[Resource]:
    """`build`, on copies: nothing read from disk is shared between two renders."""
    return copy.deepcopy(build(directory))
