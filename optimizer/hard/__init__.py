"""The hard rules H1–H8 of SPEC §3, one module and one `Rule` object each.

`optimizer.registry` lists them; everything else (ranking, batch, validator, model build,
explanations) asks the registry rather than restating a rule.
"""
