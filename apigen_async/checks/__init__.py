"""What each check decides of a pair, as plain functions (the pipeline's stages, and
`apigen verify`, call them): format, rules, execution, resolve, semantic (the judge).

Which checks exist and their order is `apigen_async.stages.ORDER`.
"""
