/*
 * The order API emulator's fixture orders: two customers (Cognito `sub`s as the token issuer mints them), each order in
 * the company API's full shape, with the fields the order tool must not pass on (address, payment, e-mail) filled in.
 */

/** An order as the company's API returns it. */
export interface FixtureOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: string;
  readonly placedAt: string;
  readonly estimatedDelivery?: string;
  readonly carrier?: string;
  readonly trackingNumber?: string;
  readonly items: readonly { readonly sku: string; readonly name: string; readonly quantity: number; readonly unitPrice: number }[];
  readonly total: { readonly amount: number; readonly currency: string };
  readonly shippingAddress: {
    readonly name: string; readonly street: string; readonly city: string; readonly postcode: string; readonly country: string;
  };
  readonly paymentMethod: { readonly type: string; readonly last4: string };
  readonly email: string;
}

/** The first fixture customer (three orders). */
export const ALICE_SUB = '6f1c2a4e-1b7d-4c59-9a3e-2d8f0b6c7a11';
/** The second fixture customer (two orders). */
export const BOB_SUB = '9b2d4e6f-3c8a-4d71-8e5f-1a2b3c4d5e6f';

const aliceAddress = { name: 'Alice Example', street: '1 Rue de la Paix', city: 'Paris', postcode: '75002', country: 'FR' };
const bobAddress = { name: 'Bob Example', street: '2 Unter den Linden', city: 'Berlin', postcode: '10117', country: 'DE' };

/** Every fixture order, newest first within each customer. */
export const FIXTURE_ORDERS: readonly FixtureOrder[] = [
  {
    orderId: 'ORD-10003',
    customerId: ALICE_SUB,
    status: 'processing',
    placedAt: '2026-12-05T09:12:00Z',
    estimatedDelivery: '2026-12-10',
    items: [{ sku: 'KB-1', name: 'Wireless keyboard', quantity: 1, unitPrice: 49.9 }],
    total: { amount: 49.9, currency: 'EUR' },
    shippingAddress: aliceAddress,
    paymentMethod: { type: 'card', last4: '4242' },
    email: 'alice@example.com',
  },
  {
    orderId: 'ORD-10002',
    customerId: ALICE_SUB,
    status: 'shipped',
    placedAt: '2026-12-01T15:40:00Z',
    estimatedDelivery: '2026-12-08',
    carrier: 'DHL',
    trackingNumber: 'JD014600003828',
    items: [{ sku: 'MUG-2', name: 'Coffee mug', quantity: 2, unitPrice: 12 }],
    total: { amount: 24, currency: 'EUR' },
    shippingAddress: aliceAddress,
    paymentMethod: { type: 'card', last4: '4242' },
    email: 'alice@example.com',
  },
  {
    orderId: 'ORD-10001',
    customerId: ALICE_SUB,
    status: 'delivered',
    placedAt: '2026-11-20T08:00:00Z',
    carrier: 'La Poste',
    trackingNumber: '6A12345678901',
    items: [{ sku: 'BK-7', name: 'Travel guide', quantity: 1, unitPrice: 19.5 }],
    total: { amount: 19.5, currency: 'EUR' },
    shippingAddress: aliceAddress,
    paymentMethod: { type: 'paypal', last4: '0000' },
    email: 'alice@example.com',
  },
  {
    orderId: 'ORD-20002',
    customerId: BOB_SUB,
    status: 'shipped',
    placedAt: '2026-12-04T11:00:00Z',
    estimatedDelivery: '2026-12-09',
    carrier: 'UPS',
    trackingNumber: '1Z999AA10123456784',
    items: [{ sku: 'HP-3', name: 'Headphones', quantity: 1, unitPrice: 129 }],
    total: { amount: 129, currency: 'EUR' },
    shippingAddress: bobAddress,
    paymentMethod: { type: 'card', last4: '1881' },
    email: 'bob@example.com',
  },
  {
    orderId: 'ORD-20001',
    customerId: BOB_SUB,
    status: 'delivered',
    placedAt: '2026-11-15T10:30:00Z',
    carrier: 'DPD',
    trackingNumber: '01234567890123',
    items: [{ sku: 'LMP-1', name: 'Desk lamp', quantity: 1, unitPrice: 35 }],
    total: { amount: 35, currency: 'EUR' },
    shippingAddress: bobAddress,
    paymentMethod: { type: 'card', last4: '1881' },
    email: 'bob@example.com',
  },
];
