/** The version of the planspec command line. */
export const VERSION = '0.1.0'
