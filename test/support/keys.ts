/** The bootstrap platform-administrator key of test servers (in-process and spawned alike). */
export const ADMIN_KEY = 'urbis_test-admin-key-0123456789abcdefghijklmnopqrstuvwxyz';
