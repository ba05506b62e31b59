/** The Action's version, as SARIF reports it (`tool.driver.version`). */
export const ACTION_VERSION = '0.1.0'
