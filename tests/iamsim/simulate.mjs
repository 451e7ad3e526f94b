// Test-only bridge: evaluate many IAM requests with @cloud-copilot/iam-simulate in one process.
//
// Usage (the Python wrapper in tests/iamsim/__init__.py does this for you):
//
//   jq -c . input.json | node_modules/.bin/node tests/iamsim/simulate.mjs > output.json
//
// The script answers document after document until stdin ends: each line of stdin is one
// input document (JSON on one line) and gets one line of output. One process serves a whole
// test session, since loading iam-simulate takes about a quarter of a second.
//
// Input (one line of stdin), one JSON document:
//
//   {"cases": [
//     {"id": "unique string",
//      "principal": "arn:aws:iam::111122223333:role/x",
//      "action": "sagemaker:CreateTrainingJob",
//      "resource": "arn:aws:sagemaker:us-east-1:111122223333:training-job/foo",  // or "*"
//      "resourceAccount": "111122223333",  // optional, default: the principal's account; must match
//                                          //   the account in "resource" when the ARN has one
//      "context": {"iam:PassedToService": "sagemaker.amazonaws.com"},  // optional
//      "identityPolicies": [<policy document>, ...],
//      "serviceControlPolicies": [[<root-level SCP docs>], [<OU/account-level SCP docs>]],  // optional
//      "resourceControlPolicies": [[<root-level RCP docs>], [<OU/account-level RCP docs>]],  // optional:
//                                   //   the levels of the resource's account; iam-simulate adds
//                                   //   RCPFullAWSAccess to each level itself
//      "permissionBoundary": [<policy document>, ...]  // optional (omit or null = no boundary)
//      "resourcePolicy": <policy document>  // optional: the resource's own policy (a KMS key
//                                           //   policy, which KMS requires)
//      "literalResource": true  // optional: the '*' in "resource" is literal, put there by the
//                               //   service itself (a CloudWatch Logs log group's ARN ends in
//                               //   ':*'); see below
//     }, ...]}
//
// Output (one line of stdout), one JSON document, results in input order:
//
//   {"results": [
//     {"id": "...",
//      "resultType": "single" | "wildcard" | "error",   // iam-simulate's discriminant
//      "result": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | null,  // null on error
//      "errors": null | {...},          // iam-simulate's SimulationErrors object, verbatim
//      "ignoredContextKeys": [...],     // context keys iam-simulate dropped before evaluation
//      "resourceTypes": [...],          // resource type(s) the resource ARN was matched to
//      "patterns": [...],               // wildcard only: per-pattern {resourcePattern, result}
//      "blockedBy": [...],              // single only: guardrail types that blocked an
//                                       //   otherwise-allowed request (scp, pb, ...)
//      "contextProblems": [...]}        // bridge-side notes on context values iam-simulate
//   ]}                                  //   accepts but would not evaluate as given
//
// Each case is evaluated by one real call to iam-simulate's `runSimulation(simulation,
// {simulationMode: 'Strict'})`; this script does no policy evaluation of its own. It only
// translates the simple input shape into iam-simulate's `Simulation` shape (named policies,
// SCP levels with an orgIdentifier) and reports what the library said.
//
// A document that cannot be evaluated gets, instead of results, the line
//
//   {"error": "simulate.mjs: ...", "status": 2 on malformed input, 1 on an unexpected
//    exception inside iam-simulate}
//
// and the next line is read as usual. Validation errors of single cases are results (the
// caller decides).

import {
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey
} from '@cloud-copilot/iam-simulate'
import { createInterface } from 'node:readline'

const CASE_KEYS = new Set([
  'id',
  'principal',
  'action',
  'resource',
  'resourceAccount',
  'context',
  'identityPolicies',
  'serviceControlPolicies',
  'resourceControlPolicies',
  'permissionBoundary',
  'resourcePolicy',
  'literalResource'
])

class InputError extends Error {}

function fail(where, message) {
  throw new InputError(`${where}: ${message}`)
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function requireString(value, where) {
  if (typeof value !== 'string' || value.length === 0) {
    fail(where, `expected a non-empty string, got ${JSON.stringify(value)}`)
  }
  return value
}

function requirePolicyList(value, where) {
  if (!Array.isArray(value)) {
    fail(where, `expected a list of policy documents, got ${JSON.stringify(value)}`)
  }
  value.forEach((doc, i) => {
    if (!isPlainObject(doc)) {
      fail(`${where}[${i}]`, 'expected a policy document (JSON object)')
    }
  })
  return value
}

/** The 12-digit account of an ARN such as arn:aws:iam::111122223333:role/x, or undefined. */
function accountOfArn(arn) {
  const account = arn.split(':')[4]
  return /^\d{12}$/.test(account ?? '') ? account : undefined
}

/** Validate one input case and translate it into iam-simulate's `Simulation` shape. */
function toSimulation(raw, index) {
  const where = `cases[${index}]`
  if (!isPlainObject(raw)) {
    fail(where, 'expected an object')
  }
  const unknown = Object.keys(raw).filter((key) => !CASE_KEYS.has(key))
  if (unknown.length > 0) {
    fail(where, `unknown field(s) ${unknown.join(', ')}; allowed: ${[...CASE_KEYS].join(', ')}`)
  }
  const id = requireString(raw.id, `${where}.id`)
  const at = `${where} (id ${JSON.stringify(id)})`
  const principal = requireString(raw.principal, `${at}.principal`)
  const action = requireString(raw.action, `${at}.action`)
  const resource = requireString(raw.resource, `${at}.resource`)

  let resourceAccount = raw.resourceAccount ?? accountOfArn(principal)
  if (resourceAccount === undefined) {
    fail(at, `cannot infer resourceAccount from principal ${principal}; pass it explicitly`)
  }
  resourceAccount = requireString(resourceAccount, `${at}.resourceAccount`)
  const arnAccount = accountOfArn(resource)
  if (arnAccount !== undefined && arnAccount !== resourceAccount) {
    // iam-simulate takes the owning account only from resourceAccount; an ARN in another account
    // with a defaulted resourceAccount would silently be simulated as a same-account request.
    fail(
      at,
      `resource ${resource} is in account ${arnAccount} but resourceAccount is ` +
        `${resourceAccount}; they must agree (pass resourceAccount for cross-account requests)`
    )
  }

  const context = raw.context ?? {}
  if (!isPlainObject(context)) {
    fail(`${at}.context`, 'expected an object of context key -> string | string[]')
  }
  for (const [key, value] of Object.entries(context)) {
    const ok =
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    if (!ok) {
      fail(`${at}.context[${JSON.stringify(key)}]`, 'values must be strings or lists of strings')
    }
  }

  const identityPolicies = requirePolicyList(raw.identityPolicies, `${at}.identityPolicies`)

  const scpLevels = raw.serviceControlPolicies ?? []
  if (!Array.isArray(scpLevels)) {
    fail(`${at}.serviceControlPolicies`, 'expected a list of levels (each a list of SCP docs)')
  }
  const serviceControlPolicies = scpLevels.map((level, levelIndex) => {
    const levelWhere = `${at}.serviceControlPolicies[${levelIndex}]`
    requirePolicyList(level, levelWhere)
    if (level.length === 0) {
      // AWS never lets a level have zero SCPs, and iam-simulate treats an empty level as
      // "nothing allowed", which is almost certainly a mistake in the test input.
      fail(levelWhere, 'an SCP level needs at least one policy (e.g. FullAWSAccess)')
    }
    return {
      orgIdentifier: `level-${levelIndex}`,
      // Names must be unique across levels: iam-simulate keys SCP validation errors by name.
      policies: level.map((policy, i) => ({ name: `scp-level-${levelIndex}-${i}`, policy }))
    }
  })

  const rcpLevels = raw.resourceControlPolicies ?? []
  if (!Array.isArray(rcpLevels)) {
    fail(`${at}.resourceControlPolicies`, 'expected a list of levels (each a list of RCP docs)')
  }
  const resourceControlPolicies = rcpLevels.map((level, levelIndex) => {
    requirePolicyList(level, `${at}.resourceControlPolicies[${levelIndex}]`)
    return {
      orgIdentifier: `rcp-level-${levelIndex}`,
      // iam-simulate adds RCPFullAWSAccess to every level, as AWS attaches it everywhere.
      policies: level.map((policy, i) => ({ name: `rcp-level-${levelIndex}-${i}`, policy }))
    }
  })

  let permissionBoundaryPolicies
  if (raw.permissionBoundary !== undefined && raw.permissionBoundary !== null) {
    requirePolicyList(raw.permissionBoundary, `${at}.permissionBoundary`)
    if (raw.permissionBoundary.length === 0) {
      // iam-simulate treats an empty boundary list as "no boundary", not "deny everything".
      fail(`${at}.permissionBoundary`, 'use null/omit for "no boundary", not an empty list')
    }
    permissionBoundaryPolicies = raw.permissionBoundary.map((policy, i) => ({
      name: `permission-boundary-${i}`,
      policy
    }))
  }

  if (raw.resourcePolicy !== undefined && !isPlainObject(raw.resourcePolicy)) {
    fail(`${at}.resourcePolicy`, 'expected a policy document (JSON object)')
  }

  if (raw.literalResource !== undefined && typeof raw.literalResource !== 'boolean') {
    fail(`${at}.literalResource`, 'expected true or false')
  }
  if (raw.literalResource && !resource.includes('*')) {
    fail(`${at}.literalResource`, `resource ${resource} holds no '*' to take literally`)
  }

  return {
    id,
    literal: raw.literalResource === true,
    simulation: {
      request: {
        principal,
        action,
        resource: { resource, accountId: resourceAccount },
        contextVariables: context
      },
      identityPolicies: identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
      serviceControlPolicies,
      resourceControlPolicies,
      ...(permissionBoundaryPolicies ? { permissionBoundaryPolicies } : {}),
      ...(raw.resourcePolicy ? { resourcePolicy: raw.resourcePolicy } : {})
    }
  }
}

/**
 * Context values that iam-simulate accepts without complaint but would not evaluate as given.
 *
 * iam-simulate (0.1.173) does not reject badly typed context values: for a single-valued key it
 * silently keeps only the first element of a list, and it does not check Bool/Numeric values.
 * This only looks up each key's declared type with the library's own `typeForContextKey`; it does
 * not evaluate anything. Keys iam-simulate ignored are reported separately (ignoredContextKeys).
 */
async function contextProblems(context, ignoredContextKeys) {
  const ignored = new Set(ignoredContextKeys)
  const problems = []
  for (const [key, value] of Object.entries(context)) {
    if (ignored.has(key)) {
      continue
    }
    let type
    try {
      type = await typeForContextKey(key)
    } catch {
      continue // not a key iam-simulate knows a type for; nothing to check
    }
    const isArray = isConditionKeyArray(type)
    const baseType = isArray ? type.slice('ArrayOf'.length) : type
    if (!isArray && Array.isArray(value) && value.length !== 1) {
      problems.push(
        `${key} is single-valued (${type}) but got ${value.length} values; ` +
          'iam-simulate would keep only the first one'
      )
    }
    for (const item of [value].flat()) {
      if (baseType === 'Bool' && !/^(true|false)$/i.test(item)) {
        problems.push(`${key} is Bool but got ${JSON.stringify(item)}`)
      }
      if (baseType === 'Numeric' && !/^-?\d+(\.\d+)?$/.test(item)) {
        problems.push(`${key} is Numeric but got ${JSON.stringify(item)}`)
      }
    }
  }
  return problems
}

/** A wildcard run's validation with the exact evaluation of a literal resource, as one result. */
function literalResult(wildcard, exact) {
  const resourceTypes = [...new Set(wildcard.results.map((r) => r.resourceType))]
  return {
    resultType: 'single',
    overallResult: exact,
    result: {
      analysis: { result: exact },
      ...(resourceTypes.length === 1 ? { resourceType: resourceTypes[0] } : {}),
      ignoredContextKeys: [...new Set(wildcard.results.flatMap((r) => r.ignoredContextKeys ?? []))]
    }
  }
}

/** Flatten iam-simulate's RunSimulationResults into the bridge's per-case result. */
function summarize(id, response) {
  switch (response.resultType) {
    case 'error':
      return {
        id,
        resultType: 'error',
        result: null,
        errors: response.errors,
        ignoredContextKeys: [],
        resourceTypes: [],
        patterns: [],
        blockedBy: []
      }
    case 'single':
      return {
        id,
        resultType: 'single',
        result: response.overallResult,
        errors: null,
        ignoredContextKeys: response.result.ignoredContextKeys ?? [],
        resourceTypes: response.result.resourceType ? [response.result.resourceType] : [],
        patterns: [],
        blockedBy: response.result.analysis?.blockedBy ?? []
      }
    case 'wildcard':
      return {
        id,
        resultType: 'wildcard',
        result: response.overallResult,
        errors: null,
        ignoredContextKeys: [...new Set(response.results.flatMap((r) => r.ignoredContextKeys ?? []))],
        resourceTypes: [...new Set(response.results.map((r) => r.resourceType))],
        patterns: response.results.map((r) => ({
          resourcePattern: r.resourcePattern,
          resourceType: r.resourceType,
          result: r.analysis?.result ?? null
        })),
        blockedBy: []
      }
    default:
      throw new Error(`unexpected iam-simulate resultType ${JSON.stringify(response.resultType)}`)
  }
}

function parseInput(text) {
  let doc
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new InputError(`the line is not valid JSON: ${err.message}`)
  }
  if (!isPlainObject(doc) || !Array.isArray(doc.cases)) {
    throw new InputError('expected a JSON object {"cases": [...]} on the line')
  }
  const cases = doc.cases.map(toSimulation)
  const seen = new Set()
  for (const { id } of cases) {
    if (seen.has(id)) {
      throw new InputError(`duplicate case id ${JSON.stringify(id)}`)
    }
    seen.add(id)
  }
  return cases
}

async function evaluate(text) {
  const cases = parseInput(text)
  const results = []
  for (const { id, literal, simulation } of cases) {
    let response
    try {
      response = await runSimulation(simulation, { simulationMode: 'Strict' })
      if (literal && response.resultType === 'wildcard') {
        // runSimulation validated the request (action, resource type, context keys) but read
        // the '*' as a pattern; the service evaluates the ARN as written, so the decision is
        // iam-simulate's evaluation of that exact string.
        response = literalResult(response, runUnsafeSimulation(simulation, {}))
      }
    } catch (err) {
      throw new Error(`iam-simulate threw for case ${JSON.stringify(id)}: ${err.stack ?? err}`)
    }
    const result = summarize(id, response)
    result.contextProblems =
      result.resultType === 'error'
        ? []
        : await contextProblems(simulation.request.contextVariables, result.ignoredContextKeys)
    results.push(result)
  }
  return results
}

// The answer to a document that failed: what went wrong, and how (see the header).
function failure(err) {
  return err instanceof InputError
    ? { error: `simulate.mjs: malformed input: ${err.message}`, status: 2 }
    : { error: `simulate.mjs: ${err.stack ?? err}`, status: 1 }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  let answer
  try {
    answer = { results: await evaluate(line) }
  } catch (err) {
    answer = failure(err)
  }
  process.stdout.write(JSON.stringify(answer) + '\n')
}
