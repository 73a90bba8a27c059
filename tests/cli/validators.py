# AWS's own validators for what pipewright-cli writes, shared by the CLI's
# acceptance tests.
#
#   request_errors(request)  a CreatePipeline request (the pipeline-as-code
#                            YAML/JSON shape): None, or what is wrong
#   template_errors(path)    a CloudFormation template (JSON or YAML with
#                            short-form tags): None, or what is wrong
#
# In CI (CI set in the environment) AWS's tools are required: botocore
# >= 1.40 (knows V2 pipelines) and cfn-lint; a missing one fails the suite.
# Outside CI, on a Debian 12 that cannot have them (it packages botocore 1.29
# and no cfn-lint), a weaker real check runs instead and says so on stderr:
#   - requests: the validator of the botocore that Debian's awscli bundles,
#     driven by botocore 1.43.11's codepipeline model (data/aws);
#   - templates: structure, every Ref/GetAtt/Sub target, and each pipeline
#     resource's Properties against the resource schema cfn-lint ships
#     (data/aws), with python3-jsonschema.
import json
import os
import re
import shutil
import subprocess
import sys

import yaml  # PyYAML: what the aws client itself reads YAML with

IN_CI = bool(os.environ.get("CI"))
_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "aws")
_noted = set()


def _note(text):
    if text not in _noted:
        _noted.add(text)
        print("validators: " + text, file=sys.stderr, flush=True)


def _botocore():
    """(validate_parameters, CreatePipeline input shape, description)."""
    try:
        import botocore
        import botocore.session
        from botocore.validate import validate_parameters
        ver = tuple(int(x) for x in botocore.__version__.split(".")[:2])
        if ver >= (1, 40):
            shape = botocore.session.get_session().get_service_model("codepipeline") \
                .operation_model("CreatePipeline").input_shape
            return validate_parameters, shape, f"botocore {botocore.__version__}"
        why = f"botocore {botocore.__version__} is too old to know V2 pipelines"
    except ImportError:
        why = "botocore is not installed"
    if IN_CI:
        raise RuntimeError(f"{why}; CI needs botocore >= 1.40")
    # Debian's awscli carries its own botocore; its validator, given the
    # current model, checks every shape, type and V2 field botocore would.
    from awscli.botocore.model import ServiceModel
    from awscli.botocore.validate import validate_parameters
    with open(os.path.join(_DATA, "codepipeline-service-2.json")) as f:
        model = ServiceModel(json.load(f), service_name="codepipeline")
    _note(f"{why}: weaker check — CreatePipeline requests are validated by Debian awscli's "
          "bundled botocore with botocore 1.43.11's codepipeline model (data/aws)")
    return validate_parameters, model.operation_model("CreatePipeline").input_shape, \
        "awscli.botocore + botocore 1.43.11 model"


_validate, _shape, BOTOCORE = _botocore()
CFN_LINT = shutil.which("cfn-lint")
if CFN_LINT is None:
    if IN_CI:
        raise RuntimeError("cfn-lint is missing; CI needs it")
    _note("cfn-lint is not installed: weaker check — CloudFormation templates are checked for "
          "structure and references, and pipeline properties against cfn-lint's resource "
          "schema (data/aws) with python3-jsonschema")


def request_errors(request):
    try:
        _validate(request, _shape)
    except Exception as e:  # ParamValidationError
        return str(e)
    return None


def template_errors(path):
    if CFN_LINT:
        p = subprocess.run([CFN_LINT, "--format", "parseable", path], capture_output=True, text=True)
        # cfn-lint's exit status is a bit mask: 2 = errors, 4 = warnings, 8 = informational.
        if p.returncode & 2 or p.returncode & 1:
            return p.stdout + p.stderr
        return None
    problems = _template_problems(path)
    return "\n".join(problems) if problems else None


def templates_errors(paths):
    """template_errors() of many files, with one cfn-lint process (its start
    is most of its time)."""
    if CFN_LINT:
        p = subprocess.run([CFN_LINT, "--format", "parseable", *paths], capture_output=True, text=True)
        if p.returncode & 2 or p.returncode & 1:
            return p.stdout + p.stderr
        return None
    problems = [e for e in (template_errors(path) for path in paths) if e]
    return "\n".join(problems) if problems else None


# --- The weaker CloudFormation check ---------------------------------------

class _CfnLoader(yaml.SafeLoader):
    pass


def _short_form(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + suffix: value}


_CfnLoader.add_multi_constructor("!", _short_form)

_TOP_KEYS = {"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings",
             "Conditions", "Transform", "Resources", "Outputs", "Rules"}
_LOGICAL_ID = re.compile(r"^[A-Za-z0-9]+$")


def _is_intrinsic(node):
    if isinstance(node, dict) and len(node) == 1:
        (k,) = node
        return k in ("Ref", "Condition") or k.startswith("Fn::")
    return False


def _walk(node, visit):
    visit(node)
    if isinstance(node, dict):
        for v in node.values():
            _walk(v, visit)
    elif isinstance(node, list):
        for v in node:
            _walk(v, visit)


def _template_problems(path):
    import jsonschema  # python3-jsonschema

    with open(path) as f:
        text = f.read()
    try:
        tpl = json.loads(text)
    except ValueError:
        try:
            tpl = yaml.load(text, Loader=_CfnLoader)
        except yaml.YAMLError as e:
            return [f"{path}: not JSON or YAML: {e}"]
    if not isinstance(tpl, dict):
        return [f"{path}: a template is a mapping"]
    problems = [f"{path}: unknown top-level key {k}" for k in tpl if k not in _TOP_KEYS]
    resources = tpl.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return problems + [f"{path}: Resources must be a non-empty mapping"]
    params = tpl.get("Parameters") or {}
    for name, p in params.items():
        if not isinstance(p, dict) or not isinstance(p.get("Type"), str):
            problems.append(f"Parameters/{name}: needs a Type")
    for rid, res in resources.items():
        if not _LOGICAL_ID.match(str(rid)):
            problems.append(f"Resources/{rid}: a logical id is alphanumeric")
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
            problems.append(f"Resources/{rid}: needs a Type")

    # Every reference names something the template defines.
    conditions = tpl.get("Conditions") or {}

    def known(name):
        return name in params or name in resources or str(name).startswith("AWS::")

    def visit(node):
        if not _is_intrinsic(node):
            return
        (k, v), = node.items()
        if k == "Ref" and not known(v):
            problems.append(f"Ref to undefined {v!r}")
        elif k == "Fn::GetAtt":
            target = v[0] if isinstance(v, list) and v else v
            if isinstance(target, str) and target not in resources:
                problems.append(f"GetAtt of undefined resource {target!r}")
        elif k == "Fn::Sub":
            s = v[0] if isinstance(v, list) and v else v
            local = v[1] if isinstance(v, list) and len(v) > 1 and isinstance(v[1], dict) else {}
            if isinstance(s, str):
                for name in re.findall(r"\$\{([^!}][^}]*)\}", s):
                    if name not in local and not known(name.split(".", 1)[0]):
                        problems.append(f"Sub of undefined {name!r}")
        elif k == "Condition" and isinstance(v, str) and v not in conditions:
            problems.append(f"undefined condition {v!r}")

    _walk({k: v for k, v in tpl.items() if k != "Conditions"}, visit)

    with open(os.path.join(_DATA, "aws-codepipeline-pipeline.schema.json")) as f:
        schema = json.load(f)
    # CloudFormation converts scalars as cfn-lint does: 1 is a fine string,
    # "1" a fine integer, "true" a fine boolean.
    def converts(value, types):
        types = [types] if isinstance(types, str) else types
        if isinstance(value, (dict, list)) or value is None:
            return False
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return any(t == "string"
                   or (t == "integer" and re.fullmatch(r"-?[0-9]+", text))
                   or (t == "number" and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text))
                   or (t == "boolean" and text in ("true", "false"))
                   for t in types)

    validator = jsonschema.Draft7Validator(schema)
    for rid, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::CodePipeline::Pipeline":
            continue
        props = res.get("Properties")
        for err in validator.iter_errors(props):
            # A value CloudFormation computes (an intrinsic) is not checked.
            node, through_intrinsic = props, _is_intrinsic(props)
            for step in err.absolute_path:
                if through_intrinsic:
                    break
                node = node[step]
                through_intrinsic = _is_intrinsic(node)
            if err.validator == "type" and converts(err.instance, err.validator_value):
                continue
            if not through_intrinsic and not _is_intrinsic(err.instance):
                where = "/".join(str(s) for s in err.absolute_path)
                problems.append(f"Resources/{rid}/Properties/{where}: {err.message}")
    return problems
